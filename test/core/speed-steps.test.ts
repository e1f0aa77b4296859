import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {SPEED_MAX, SPEED_MIN, SPEED_STEPS, stepSpeed} from '../../src/core/speed-range.js';

const up = (speed: number) => stepSpeed(speed, 2);
const down = (speed: number) => stepSpeed(speed, 0.5);

// After 1000x, `-` gave 1000/1024 = 0.98x (and that was saved); `+` never came back to 1x.
describe('+ and - move between fixed speed steps (htop-style)', () => {
  it('the steps: 0.01, powers of two from 1/64 to 512, then 1000', () => {
    expect(SPEED_STEPS).toEqual([0.01, ...Array.from({length: 16}, (_, i) => 2 ** (i - 6)), 1000]);
  });

  it('- from 1000x is 512x, and back down to 1x', () => {
    expect(down(1000)).toBe(512);
    let speed = 1000;
    for (let i = 0; i < 10; i++) speed = down(speed);
    expect(speed).toBe(1);
  });

  it('a speed between steps (--speed 3) moves to the next step in the key direction', () => {
    expect([up(3), down(3), up(0.3), down(0.3), up(700), down(700)]).toEqual([4, 2, 0.5, 0.25, 1000, 512]);
  });

  it('stays at the bounds', () => {
    expect([up(SPEED_MAX), down(SPEED_MIN)]).toEqual([SPEED_MAX, SPEED_MIN]);
  });

  it('any sequence of + and - from 1x stays on exact steps within the range', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), {maxLength: 60}), (keys) => {
        let speed = 1;
        for (const isUp of keys) {
          speed = isUp ? up(speed) : down(speed);
          expect(SPEED_STEPS).toContain(speed);
        }
        // as many - as + undoes them, bounds aside: back to 1x after enough - and +
        for (let i = 0; i < SPEED_STEPS.length; i++) speed = down(speed);
        expect(speed).toBe(SPEED_MIN);
        for (let i = 0; i < SPEED_STEPS.indexOf(1); i++) speed = up(speed);
        expect(speed).toBe(1);
      }),
    );
  });

  it('any in-range speed moves strictly in the key direction unless at a bound, and stays in range', () => {
    fc.assert(
      fc.property(fc.double({min: SPEED_MIN, max: SPEED_MAX, noNaN: true}), (speed) => {
        const [faster, slower] = [up(speed), down(speed)];
        expect(faster >= SPEED_MIN && faster <= SPEED_MAX && slower >= SPEED_MIN && slower <= SPEED_MAX).toBe(
          true,
        );
        if (speed < SPEED_MAX) expect(faster).toBeGreaterThan(speed);
        if (speed > SPEED_MIN) expect(slower).toBeLessThan(speed);
      }),
    );
  });
});
