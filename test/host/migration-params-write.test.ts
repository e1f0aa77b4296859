import {describe, expect, it} from 'vitest';
import {MIGRATION_DEFAULTS} from '../../src/host/migration/migration-params.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

describe("a guest's migration parameters change only through the world's commands", () => {
  it('assigning the field is refused; migrate-set-parameters stores them', () => {
    const world = startWorld(defaultConfig());
    const guest = world.guest('web-1')!;
    const changed = {...MIGRATION_DEFAULTS, downtimeLimitMs: 1234};
    // Before: a public field, so any module could replace the VM's parameters unchecked.
    expect(() => {
      (guest as {migrationParams: unknown}).migrationParams = changed;
    }).toThrow(TypeError);
    expect(guest.migrationParams).toBe(MIGRATION_DEFAULTS);
    expect(world.command('web-1', {do: 'migrate-set-parameters', params: {downtimeLimitMs: 1234}}).ok).toBe(
      true,
    );
    expect(guest.migrationParams).toEqual(changed);
  });
});
