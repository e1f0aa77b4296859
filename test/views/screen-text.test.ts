import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {detailHeader} from '../../src/views/detail-header.js';
import {wrapIndented} from '../../src/views/format.js';
import {fitSegments} from '../../src/views/segments.js';
import {summaryLine, summarySegments} from '../../src/views/summary-bar.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// The pieces that make the screen fit its width without cutting a word.

function defaultWorld(seconds: number) {
  const world = startWorld(defaultConfig(), 1);
  world.advanceTo(seconds * 1_000_000);
  return {world, snapshot: dashboardViewOf(world).world};
}

describe('fitSegments', () => {
  const segments = [
    {forms: ['name'], priority: 0},
    {
      forms: ['five hosts, four with an ultravisor', '5 hosts, 4 UV', '5 hosts', ''],
      priority: 3,
      dropPriority: 1,
      name: 'hosts',
    },
    {forms: ['secure memory 30GiB', 'sec 30GiB'], priority: 2},
  ];

  it('shortens the least important first, and drops one whole only after the others shortened', () => {
    const at = (width: number) => fitSegments(segments, width, '  ');
    expect(at(80).texts).toEqual(['name', 'five hosts, four with an ultravisor', 'secure memory 30GiB']);
    expect(at(40).texts).toEqual(['name', '5 hosts, 4 UV', 'secure memory 30GiB']);
    expect(at(28).texts).toEqual(['name', '5 hosts', 'sec 30GiB']);
    expect(at(16)).toEqual({texts: ['name', '', 'sec 30GiB'], dropped: ['hosts']});
  });

  it('returns only whole forms, at any width', () => {
    fc.assert(
      fc.property(fc.integer({min: 0, max: 90}), (width) => {
        const {texts} = fitSegments(segments, width, '  ');
        texts.forEach((text, index) => expect(segments[index]!.forms).toContain(text));
      }),
    );
  });

  it('refuses a segment dropped before it shortens', () => {
    expect(() => fitSegments([{forms: ['a', ''], priority: 1, dropPriority: 2}], 0, ' ')).toThrow(
      /dropPriority must not be above priority/,
    );
  });
});

describe('the summary line', () => {
  it('keeps the name, whole units and the clock at 80 columns, giving way by priority', () => {
    const {snapshot} = defaultWorld(30);
    const line = summaryLine(summarySegments(snapshot, 9, 1, 1, undefined), 79);
    expect(line).toBe('svmtop  5 hosts, 4 UV  9 VMs: 4 secure  secure mem 30GiB/112GiB      t=30.0s 1x');
    const wide = summaryLine(summarySegments(snapshot, 9, 1, 1, undefined), 119);
    expect(wide).toMatch(
      /^svmtop {2}5 hosts \(4 UV, 2018-era: epsilon\) {2}9 VMs: 4 secure {2}secure mem 30GiB\/112GiB +t=30\.0s 1x$/,
    );
  });

  it('names the segments it dropped, and says how far behind the simulation is in few words', () => {
    const {snapshot} = defaultWorld(5);
    const filtered = summaryLine(summarySegments(snapshot, 4, 1, 1, undefined), 79);
    expect(filtered).toBe('svmtop  5 hosts  4/9 VMs: 2 secure, 2 going  sec mem 30GiB/112GiB     t=5.0s 1x');
    const behind = summaryLine(summarySegments(snapshot, 4, 1000, 143, 12), 79);
    // Dropped segments are named, not counted: the hosts, the secure memory and the QMP clients.
    expect(behind).toBe('svmtop  4/9 VMs: 2 secure, 2 going  +hosts, sec mem, QMP      t=5.0s 143x/1000x');
  });
});

describe('the detail header', () => {
  it('on other tabs keeps one line: the facts that fit whole, and which more, or how many', () => {
    const {snapshot} = defaultWorld(30);
    const vm = snapshot.vms.find((candidate) => candidate.name === 'db-1')!;
    const tabs = ' 1 devices  2 swiotlb [3 migration] 4 events ';
    expect(detailHeader(tabs, vm, 79, false)).toEqual([`${tabs} db-1: dmaPolicy restricted +4`]);
    expect(detailHeader(tabs, vm, 119, false)).toEqual([
      `${tabs} db-1: dmaPolicy restricted, svm=on, declared allowed (pef-guest) +2 more`,
    ]);
    // Where their names fit, the facts left out are named: what the devices tab adds. The
    // declaration goes by its world-file key: `+declared` read as a state (declared or not).
    expect(detailHeader(tabs, vm, 113, false)).toEqual([
      `${tabs} db-1: dmaPolicy restricted, svm=on +launchSecurity, workload, vCPUs`,
    ]);
    expect(detailHeader(tabs, vm, 112, false)).toEqual([
      `${tabs} db-1: dmaPolicy restricted, svm=on +3 more`,
    ]);
  });

  it('keeps the name and the DMA policy, with its pending change, at every width of 80 and more', () => {
    const {snapshot} = defaultWorld(30);
    const db = snapshot.vms.find((candidate) => candidate.name === 'db-1')!;
    // `P` on a running VM: the guest keeps its policy until the next boot.
    const vm = {
      ...db,
      name: 'batch-1',
      dmaPolicyInEffect: 'access-platform-gated' as const,
      dmaPolicy: 'force-dma-api' as const,
    };
    const tabs = ' 1 devices  2 swiotlb [3 migration] 4 events ';
    // At 80 columns the tab strip leaves room for the policy only as the DMA column writes it.
    expect(detailHeader(tabs, vm, 79, false)).toEqual([`${tabs} batch-1: dma gated>rfc +4 more`]);
    expect(detailHeader(tabs, vm, 119, false)).toEqual([
      `${tabs} batch-1: dmaPolicy access-platform-gated (next boot: force-dma-api) +4`,
    ]);
    fc.assert(
      fc.property(fc.integer({min: 79, max: 260}), (width) => {
        const lines = detailHeader(tabs, vm, width, false);
        expect(lines.every((line) => line.length <= width)).toBe(true);
        expect(lines.join('\n')).toMatch(
          /batch-1: dma(Policy access-platform-gated \(next( boot)?: force-dma-api\)| gated>rfc)/,
        );
      }),
    );
  });

  it('on the devices tab wraps between facts, never inside one, under the tab strip', () => {
    const {snapshot} = defaultWorld(30);
    const vm = snapshot.vms.find((candidate) => candidate.name === 'db-1')!;
    const tabs = '[1 devices] 2 swiotlb  3 migration  4 events ';
    expect(detailHeader(tabs, vm, 79, true)).toEqual([
      `${tabs} db-1: dmaPolicy restricted,`,
      '  svm=on, declared allowed (pef-guest), db, 8 vCPU',
    ]);
    expect(detailHeader(tabs, vm, 200, true)).toEqual([
      `${tabs} db-1: dmaPolicy restricted, svm=on, declared allowed (pef-guest), db, 8 vCPU`,
    ]);
  });
});

describe('wrapIndented', () => {
  it('keeps the leading spaces and starts further lines under the label', () => {
    expect(wrapIndented('peak/s   67 slots in the last second', 24, 9)).toEqual([
      'peak/s   67 slots in the',
      '         last second',
    ]);
    expect(wrapIndented('  - a reason that wraps', 14)).toEqual(['  - a reason', '  that wraps']);
  });
});
