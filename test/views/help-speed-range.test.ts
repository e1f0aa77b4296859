import {describe, expect, it} from 'vitest';
import {SPEED_MAX, SPEED_MIN} from '../../src/core/speed-range.js';
import {formatSpeed} from '../../src/views/format.js';
import {HELP_LINES} from '../../src/views/key-bindings.js';

// The help's `+ -` line said `x2 / /2` and nothing of where the steps stop: a user pressing `+`
// at 1000x saw nothing change until the status line said so. It names both ends, as shown.
describe("the help's speed keys", () => {
  it('name both ends of the speed range, spelt as the header shows a speed', () => {
    const line = HELP_LINES.find((help) => help.text.startsWith('+ -'))?.text ?? '';
    expect(line).toContain(formatSpeed(SPEED_MIN));
    expect(line).toContain(formatSpeed(SPEED_MAX));
  });
});
