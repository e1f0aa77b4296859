import type {VmSnapshot} from '../host/snapshot-types.js';
import {tabStrip} from './tab-strip.js';
import type {Tab} from './dashboard-model.js';
import {wrapIndented} from './format.js';
import {DMA_POLICY_LABELS} from '../host/dma-policy.js';
import type {DmaPolicy} from '../host/config/world-schema.js';

// The detail panel's header: the VM's facts under the tab strip, and a notice when it has one.

/** A fact about the VM, and what it is about (the one-line header names the facts it leaves out). */
interface Fact {
  readonly name: string;
  readonly text: string;
}

/** The DMA policy, and the change the next boot makes, in its forms from longest to shortest. */
function policyForms(vm: VmSnapshot): string[] {
  const inEffect = vm.dmaPolicyInEffect;
  const short = (policy: DmaPolicy) => DMA_POLICY_LABELS[policy].short;
  if (inEffect === null || inEffect === vm.dmaPolicy)
    return [`dmaPolicy ${vm.dmaPolicy}`, `dma ${short(vm.dmaPolicy)}`];
  // The last form as the DMA column writes it (`gated>rfc`).
  return [
    `dmaPolicy ${inEffect} (next boot: ${vm.dmaPolicy})`,
    `dmaPolicy ${inEffect} (next: ${vm.dmaPolicy})`,
    `dma ${short(inEffect)}>${short(vm.dmaPolicy)}`,
  ];
}

/** What the list abbreviates about a VM, in full: each fact whole, to wrap between facts. */
function detailFacts(vm: VmSnapshot, policy = policyForms(vm)[0]!): Fact[] {
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
 * their rows for themselves: one line, with the name and DMA policy, the facts that fit whole and the
 * names of the rest (`+workload, vCPUs`), or how many they are (`+2 more`) where their names do not fit.
 */
export function detailHeader(
  tabs: string,
  vm: VmSnapshot | undefined,
  width: number,
  isWrapped: boolean,
): string[] {
  if (!vm) return [`${tabs} no VM selected`];
  return isWrapped
    ? wrappedHeader(
        `${tabs} ${vm.name}:`,
        detailFacts(vm).map((fact) => fact.text),
        width,
      )
    : oneLineHeader(tabs, vm, width);
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

/**
 * The name and the DMA policy come first, always (the README promises them in full); the other facts
 * fill what is left. Where the tab strip leaves no room for them, they go on a line of their own.
 */
function oneLineHeader(tabs: string, vm: VmSnapshot, width: number): string[] {
  const beside = fittedFacts(`${tabs} `, vm, width);
  if (beside) return [beside];
  const below = fittedFacts(' '.repeat(CONTINUATION_INDENT), vm, width);
  if (below) return [tabs, below];
  return [tabs, ...wrapIndented(`  ${vm.name}: ${policyForms(vm).at(-1)}`, width, CONTINUATION_INDENT)];
}

/**
 * `head`, the name and the policy, then as many facts as fit whole and which more (`+workload,
 * vCPUs`), or how many (`+2 more`); only where no fact but the policy fits with those, a bare `+4`.
 */
function fittedFacts(head: string, vm: VmSnapshot, width: number): string | null {
  const tails: ((names: string[]) => string[])[] = [
    (names) => [`+${names.join(', ')}`, `+${names.length} more`],
    (names) => [`+${names.length}`],
  ];
  // The policy in full before any other fact: the longest form that fits, with whatever tail.
  for (const policy of policyForms(vm)) {
    const facts = detailFacts(vm, policy);
    for (const tail of tails)
      for (let shown = facts.length; shown >= 1; shown--) {
        const line = `${head}${vm.name}: ${facts
          .slice(0, shown)
          .map((fact) => fact.text)
          .join(', ')}`;
        const names = facts.slice(shown).map((fact) => fact.name);
        const forms = names.length > 0 ? tail(names).map((text) => `${line} ${text}`) : [line];
        const fitting = forms.find((text) => text.length <= width);
        if (fitting) return fitting;
      }
  }
  return null;
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
