import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import type {VmSnapshot} from '../../src/host/snapshot-types.js';
import {DevicesTab} from '../../src/views/devices-tab.js';
import {createTheme} from '../../src/views/theme.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

// The devices tab draws the ASCII table only where the table fits the panel whole; where it does
// not (84–99 columns, or counters that grew long) the compact table drops columns whole and says
// how many, and no counter is cut.

function webAt(seconds: number): VmSnapshot {
  const world = startWorld(defaultConfig());
  world.advanceTo(seconds * 1_000_000);
  return vm(world, 'web-1');
}

/** The tab's lines at `width`, trailing spaces gone. */
function draw(snapshot: VmSnapshot, width: number): string[] {
  const {lastFrame, unmount} = render(
    <DevicesTab vm={snapshot} width={width} height={14} theme={createTheme(false)} />,
  );
  const lines = (lastFrame() ?? '').split('\n').map((line) => line.trimEnd());
  unmount();
  return lines;
}

describe('the devices tab between 84 and 100 columns', () => {
  it('draws the ASCII table where it fits whole, and the compact table where it does not', () => {
    const snapshot = webAt(30);
    const wide = draw(snapshot, 100);
    expect(wide[0]).toMatch(/^\+-+\+/);
    expect(wide[1]).toMatch(/\| INTEG \|$/);
    const narrow = draw(snapshot, 90);
    expect(narrow[0]).toMatch(/^DEV +TYPE/);
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(89);
  });

  it('shows a huge counter whole, dropping columns rather than cutting them', () => {
    const snapshot = webAt(30);
    const huge: VmSnapshot = {
      ...snapshot,
      devices: snapshot.devices.map((device) => ({...device, completed: 123_456_789_012_345})),
    };
    const lines = draw(huge, 99);
    expect(lines[0]).toMatch(/^DEV +TYPE .*DONE/);
    expect(lines.filter((line) => line.includes('123456789012345'))).toHaveLength(snapshot.devices.length);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(98);
  });
});
