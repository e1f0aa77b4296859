import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {defaultConfig, eventsOf, startWorld} from '../helpers/world.js';

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Lines of source text (comments aside) with a string literal holding ' (x)', a one-letter key. */
function keyHintsIn(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/|\/\*\*)/.test(line))
    .filter((line) => /(['"`])[^'"`]*\s\([a-zA-Z]\)[^'"`]*\1/.test(line))
    .map((line) => line.trim());
}

/**
 * The host answers every client (dashboard, QMP, scenarios, headless events): a key of the
 * dashboard in its words means nothing to the others. The refusal's code says what the way out
 * is; each client names its own (the dashboard its key, QMP its command).
 */
describe('the host names no dashboard key', () => {
  it('no string in src/host, src/core or src/qmp carries a one-letter key hint such as (c) or (r)', () => {
    const hints = ['src/host', 'src/core', 'src/qmp']
      .flatMap(sources)
      .flatMap((file) => keyHintsIn(readFileSync(file, 'utf8')).map((line) => `${file}: ${line}`));
    expect(hints).toEqual([]);
  });

  it('the scan finds a hint in any kind of string literal, and none in comments', () => {
    const text = [
      "const a = 'cancel the migration first (c)';",
      'const b = "takes effect at the next boot (r)";',
      'const c = `reboot ${name} (r) now`;',
      '// the dashboard adds (c)',
      ' * and (r) in a doc comment',
      "const d = 'a function call f(x) is no hint';",
    ].join('\n');
    expect(keyHintsIn(text)).toEqual([
      "const a = 'cancel the migration first (c)';",
      'const b = "takes effect at the next boot (r)";',
      'const c = `reboot ${name} (r) now`;',
    ]);
  });

  it('a command refused during a migration, and a policy change, say so without a key', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 12});
    world.migrate('churn-1', 'beta');
    expect(world.unsecure('churn-1')).toEqual({
      ok: false,
      code: 'migrating',
      reason: 'churn-1 is migrating; cancel the migration first',
    });
    expect(world.setPolicy('legacy-1', 'force-dma-api')).toEqual({
      ok: true,
      message: 'dmaPolicy force-dma-api takes effect at the next boot',
    });
    expect(eventsOf(world, 'churn-1')).toContain(
      'unsecure refused: churn-1 is migrating; cancel the migration first',
    );
  });
});
