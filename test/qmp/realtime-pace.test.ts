import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {nextPace, REALTIME_BEHIND_MS, runHeadlessRealtime} from '../../src/app/headless-realtime.js';
import {useTempDirs} from '../helpers/temp-dirs.js';
import {defaultConfig} from '../helpers/world.js';

const dirs = useTempDirs('svmtop-pace-');

describe('headless --qmp says on stderr when it falls behind the speed asked, and when it catches up', () => {
  test('a run that cannot keep up says so once, with the speed reached, then once more when it has caught up', async () => {
    const root = dirs.root();
    const lines: string[] = [];
    const stdout: string[] = [];
    const stop = new AbortController();
    // Each look at the wall clock finds it 1.5 s later: a machine far too slow for 1x. Once it
    // has said so, the clock stands still and the run catches up; then the test stops it.
    let nowMs = 0;
    const run = runHeadlessRealtime({
      config: defaultConfig(),
      scenario: null,
      seed: 1,
      durationUs: 3600 * 1_000_000,
      intervalUs: 3600 * 1_000_000,
      write: (line) => stdout.push(line),
      speed: 1,
      qmpDir: join(root, 'qmp'),
      flush: () => {},
      backlog: () => undefined,
      signal: stop.signal,
      nowMs: () => (lines.length === 0 && nowMs < 10_000 ? (nowMs += 1500) : nowMs),
      warn: (line) => {
        lines.push(line);
        if (lines.length === 2) stop.abort();
      },
    });
    expect(await run).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^svmtop: simulating at \d+(\.\d+)?x of 1x asked \(\d+\.\d s behind\)$/);
    expect(lines[1]).toBe('svmtop: caught up: simulating at the 1x asked');
    expect(stdout.every((line) => line.startsWith('{'))).toBe(true);
  });

  test('behind only past a second of wall time, caught up only with no lag left', () => {
    const pace = {speed: 1000, startMs: 0, isBehind: false};
    const lagUs = (ms: number) => ms * 1000 * 1000;
    expect(nextPace(pace, 5000, 0, lagUs(REALTIME_BEHIND_MS)).line).toBeUndefined();
    const behind = nextPace(pace, 5000, 2_000_000, 2_000_000 + lagUs(REALTIME_BEHIND_MS + 500));
    expect(behind.line).toBe('svmtop: simulating at 0.4x of 1000x asked (1.5 s behind)');
    expect(nextPace(behind.pace, 6000, 5_000_000, 5_000_001).line).toBeUndefined();
    expect(nextPace(behind.pace, 6000, 5_000_000, 5_000_000).line).toBe(
      'svmtop: caught up: simulating at the 1000x asked',
    );
  });
});
