import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {exhaustSwiotlb} from '../../src/host/faults.js';
import {SwiotlbTab} from '../../src/views/swiotlb-tab.js';
import {createTheme} from '../../src/views/theme.js';
import {defaultConfig, startWorld, vm} from '../helpers/world.js';

// After an injected leak was released, the tab read "pool size is enough (high water 100%)": true
// (the advice rests on what the devices asked, the high water is Linux's) but it read as a
// contradiction. It says where the high water came from.

/** db-1's swiotlb tab at `seconds`, a leak injected at 15 s (released at 20 s), 80 columns wide. */
function dbTabAt(seconds: number): string {
  const world = startWorld(defaultConfig(), 1, {seconds: 15, unchecked: true});
  world.runOnGuest('db-1', 'fault swiotlb-exhaustion', exhaustSwiotlb);
  world.advanceTo(seconds * 1_000_000);
  const {lastFrame, unmount} = render(
    <SwiotlbTab vm={vm(world, 'db-1')} width={80} height={12} theme={createTheme(false)} />,
  );
  const frame = (lastFrame() ?? '').split('\n').map((line) => line.trimEnd());
  unmount();
  return frame.join('\n');
}

describe('the swiotlb tab after a leak', () => {
  it('says the high water and the failures count the leaked slots, not that 100% is enough', () => {
    expect(dbTabAt(25)).toBe(
      [
        'used     |......................   3%  32/1024 slots (64KiB of 2.0MiB), 4 areas',
        'hiwater  ||||||||||||||||||||||| 100%  1024 slots',
        'peak/s                            66 slots in the last second (scale: highest',
        '         shown, 0)',
        'bounced  11MiB to devices, 6.4MiB back',
        'failures 229 "swiotlb buffer is full"',
        'per dev  virtio0 32',
        'advice   pool size is enough for what the devices ask: the high water (100%)',
        "         and the failures count a leaking driver's slots (a larger pool would",
        '         fill too)',
        '',
        '',
      ].join('\n'),
    );
  });
});
