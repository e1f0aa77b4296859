import type {VmSnapshot} from '../host/snapshot-types.js';
import {tabStrip} from './tab-strip.js';
import type {Tab} from './dashboard-model.js';
import {wrapIndented} from './format.js';

// The detail panel's header: the VM's facts under the tab strip, and a notice when it has one.

/** A fact about the VM, and what it is about (the one-line header names the facts it leaves out). */
interface Fact {
  readonly name: string;
  readonly text: string;
}

/** What the list abbreviates about a VM, in full: each fact whole, to wrap between facts. */
function detailFacts(vm: VmSnapshot): Fact[] {
  const inEffect = vm.dmaPolicyInEffect;
  const policy =
    inEffect === null || inEffect === vm.dmaPolicy
      ? `dmaPolicy ${vm.dmaPolicy}`
      : `dmaPolicy ${inEffect} (next boot: ${vm.dmaPolicy})`;
  const launch = vm.security.confidentialGuestSupport ? ' (pef-guest)' : '';
  return [
    {name: 'dmaPolicy', text: policy},
    {name: 'svm', text: `svm=${vm.svm ? 'on' : 'off'}`},
    // Named by its world-file key: `+declared` read as a state (declared or not), not as the fact left out.
    {name: 'launchSecurity', text: `declared ${vm.security.declared}${launch}`},
    {name: 'workload', text: vm.workload},
    {name: 'vCPUs', text: `${vm.vcpus} vCPU`},
  ];
}

/** Further lines of the header start this far in. */
const CONTINUATION_INDENT = 2;
/** The notice under the header (a failure, an undeclared secure guest) takes at most this many lines. */
const NOTICE_LINES_MAX = 3;

/**
 * The tab strip, then the VM's name and facts. On the devices tab (the VM at a glance) the facts
 * wrap between facts, never inside one, onto further lines of `width` cells; the other tabs keep
 * their rows for themselves: one line, with the facts that fit whole and the names of the rest
 * (`+workload, vCPUs`), or how many they are (`+2 more`) where their names do not fit.
 */
export function detailHeader(
  tabs: string,
  vm: VmSnapshot | undefined,
  width: number,
  isWrapped: boolean,
): string[] {
  if (!vm) return [`${tabs} no VM selected`];
  const facts = detailFacts(vm);
  return isWrapped
    ? wrappedHeader(
        `${tabs} ${vm.name}:`,
        facts.map((fact) => fact.text),
        width,
      )
    : oneLineHeader(tabs, vm.name, facts, width);
}

function wrappedHeader(head: string, facts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = head;
  facts.forEach((fact, index) => {
    const joint = index === 0 ? ' ' : ', ';
    // Room for the comma that follows every fact but the last.
    const comma = index === facts.length - 1 ? 0 : 1;
    if (line.length + joint.length + fact.length + comma > width) {
      lines.push(index === 0 ? line : `${line},`);
      line = ' '.repeat(CONTINUATION_INDENT) + fact;
    } else line += joint + fact;
  });
  lines.push(line);
  // A fact longer than a whole line still wraps, at its spaces.
  return lines.flatMap((text) => wrapIndented(text, width, CONTINUATION_INDENT));
}

function oneLineHeader(tabs: string, name: string, facts: readonly Fact[], width: number): string[] {
  for (let shown = facts.length; shown >= 0; shown--) {
    const hidden = facts.length - shown;
    const texts = facts.slice(0, shown).map((fact) => fact.text);
    const head = shown > 0 ? `${tabs} ${name}: ${texts.join(', ')}` : `${tabs} ${name}`;
    // As many facts as fit come first; their names, when they fit too, say what the devices tab adds.
    const names = facts.slice(shown).map((fact) => fact.name);
    const named = hidden > 0 ? `${head} +${names.join(', ')}` : head;
    if (named.length <= width) return [named];
    const counted = `${head} +${hidden} more`;
    if (counted.length <= width) return [counted];
  }
  return wrapIndented(`${tabs} ${name}`, width, CONTINUATION_INDENT);
}

/** A notice wrapped whole; past its most lines, the last says how many more the events tab has. */
export function noticeLines(notice: string, width: number): string[] {
  const lines = wrapIndented(notice, width, CONTINUATION_INDENT);
  if (lines.length <= NOTICE_LINES_MAX) return lines;
  const more = `  +${lines.length - NOTICE_LINES_MAX + 1} more lines in 4 events`;
  return [...lines.slice(0, NOTICE_LINES_MAX - 1), more];
}

/** What the header says below the facts: a failed transition, or a guest secure without saying so. */
export function noticeOf(vm: VmSnapshot): string | null {
  const failure = vm.security.failure;
  if (failure && vm.security.state === 'failed') return `secure transition failed: ${failure}`;
  if (vm.security.state === 'secure' && vm.security.declared === 'none')
    return 'secure, but declared launchSecurity: none: only the 2018-era stack allows it, and management does not know (balloon and migration will surprise it)';
  return null;
}

/** The detail panel's lines: the header (tab strip and facts), the notice, then the open tab's rows. */
export function detailLines(
  vm: VmSnapshot | undefined,
  tab: Tab,
  width: number,
  height: number,
): {
  readonly tabs: string;
  readonly header: string[];
  readonly notices: string[];
  readonly bodyHeight: number;
} {
  const tabs = tabStrip(tab).text;
  const header = detailHeader(tabs, vm, width - 1, tab === 'devices');
  const notice = vm ? noticeOf(vm) : null;
  const notices = notice ? noticeLines(notice, width - 1) : [];
  return {tabs, header, notices, bodyHeight: Math.max(1, height - header.length - notices.length)};
}
