import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {runHeadless} from '../../src/headless.js';
import {loadScenarioFile} from '../../src/host/config/load-scenario.js';
import {ROOT} from '../helpers/cli.js';
import {CPU_BOUND} from '../helpers/property-timeout.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// QA item 6b: sizes and rates have one format everywhere, the screen's (`1.0MiB/s`, `256MiB`):
// the host's events, answers and refusals use the same formatter as the views.
const OTHER_SIZE_FORMAT = /\d (B|KiB|MiB|GiB|TiB|PiB)\b/;

function eventTexts(scenarioName: string): string[] {
  const config = defaultConfig();
  const loaded = loadScenarioFile(join(ROOT, 'config', 'scenarios', `${scenarioName}.yaml`), config);
  if (!loaded.ok) throw new Error(loaded.error);
  const texts: string[] = [];
  runHeadless({
    config,
    scenario: loaded.value,
    seed: loaded.value.seed ?? 1,
    durationUs: loaded.value.duration ?? 60_000_000,
    intervalUs: 3_600_000_000,
    write: (line) => {
      const parsed = JSON.parse(line) as {type: string; message?: string};
      if (parsed.type === 'event') texts.push(parsed.message!);
    },
  });
  return texts;
}

describe('sizes and rates in the host texts have the screen format (QA item 6b)', CPU_BOUND, () => {
  it.each(['migration-not-converging', 'balloon', 'secure-memory-exhaustion', 'faults'])(
    'every event of the %s scenario',
    (name) => {
      const texts = eventTexts(name);
      expect(texts.some((text) => /\d(B|KiB|MiB|GiB)\b/.test(text))).toBe(true);
      expect(texts.filter((text) => OTHER_SIZE_FORMAT.test(text))).toEqual([]);
    },
  );

  it("commands' answers and refusals, dry run and command alike", () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 20, unchecked: true});
    const texts: string[] = [];
    const say = (result: {ok: boolean; message?: string; reason?: string}) =>
      texts.push(result.ok ? (result.message ?? '') : (result.reason ?? ''));
    say(world.balloon('churn-1', 512 * 2 ** 20));
    say(world.migrate('churn-1', 'beta'));
    world.advanceBy(1_000_000);
    say(
      world.command('churn-1', {
        do: 'migrate-set-parameters',
        params: {maxBandwidthBytesPerSecond: BigInt(3 << 28)},
      }),
    );
    for (const vm of world.getSnapshot().vms)
      for (const host of world.getSnapshot().hosts)
        if (host.name !== vm.host) say(world.check(vm.name, {do: 'migrate', to: host.name, params: {}}));
    expect(texts.some((text) => /\d(B|KiB|MiB|GiB)\b/.test(text))).toBe(true);
    expect(texts.filter((text) => OTHER_SIZE_FORMAT.test(text))).toEqual([]);
  });
});
