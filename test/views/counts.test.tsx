import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {summaryLine, summarySegments} from '../../src/views/summary-bar.js';
import {renderDashboard} from '../helpers/views.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// A count of one is said in the singular, wherever the screen counts something.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** alpha alone, running web-1 alone, its swiotlb pool in one area. */
function oneOfEach() {
  const config = defaultConfig();
  const web = config.guests.find((guest) => guest.name === 'web-1')!;
  return {
    ...config,
    hosts: config.hosts.filter((host) => host.name === 'alpha'),
    guests: [{...web, swiotlb: {...web.swiotlb, areas: 1}}],
  };
}

const PLURAL_OF_ONE = /\b1 (hosts|VMs|areas|slots|keys|events|devices broken)\b/;

describe('counts of one', () => {
  it('the summary says 1 host and 1 VM in every form it shortens to', () => {
    const world = startWorld(oneOfEach(), 1);
    world.advanceTo(12_000_000);
    const snapshot = dashboardViewOf(world).world;
    for (const shown of [0, 1]) {
      const segments = summarySegments(snapshot, shown, 1, 1, undefined);
      const forms = [...segments.left, ...segments.right].flatMap((segment) => segment.forms);
      expect(forms.filter((form) => PLURAL_OF_ONE.test(form))).toEqual([]);
    }
    expect(summaryLine(summarySegments(snapshot, 1, 1, 1, undefined), 119)).toMatch(
      /^svmtop {2}1 host \(1 UV\) {2}1 VM: /,
    );
  });

  it('the filter line, the swiotlb tab and the key bar at 120x40 and 80x24', async () => {
    for (const [columns, rows] of [
      [120, 40],
      [80, 24],
    ] as const) {
      const view = renderDashboard({columns, rows, seconds: 12, config: oneOfEach()});
      await view.type('2');
      expect(view.frame()).not.toMatch(PLURAL_OF_ONE);
      expect(view.frame()).toMatch(/ 1 area\b/);
      await view.type('/web');
      expect(view.frame()).toContain('1 of 1 VM ');
    }
  });
});
