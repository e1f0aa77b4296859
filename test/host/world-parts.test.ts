import {describe, expect, it} from 'vitest';
import {planConfigChange} from '../../src/host/config-plan.js';
import type {GuestCommand} from '../../src/host/world.js';
import {defaultConfig, runChecked, startWorld, vm} from '../helpers/world.js';

const COMMANDS: readonly GuestCommand[] = [
  {do: 'pause'},
  {do: 'resume'},
  {do: 'reboot'},
  {do: 'secure'},
  {do: 'unsecure'},
  {do: 'migrate-cancel'},
  {do: 'balloon', targetBytes: 256 << 20, isForced: false},
  {do: 'balloon', targetBytes: 256 << 20, isForced: true},
  {do: 'policy', policy: 'restricted'},
  {do: 'workload', workload: {profile: 'idle'}},
  {do: 'migrate', to: 'delta', params: {}},
  {do: 'migrate', to: 'beta', params: {}},
  {do: 'migrate', to: 'nowhere', params: {}},
];

describe('World.check answers exactly as the command would, and changes nothing', () => {
  it('for every guest and command, asked just before running it, at many instants', () => {
    const config = defaultConfig();
    const world = startWorld(config, 4, {seconds: 2.7, unchecked: true});
    let round = 0;
    for (const command of COMMANDS) {
      for (const guest of config.guests) {
        const eventsBefore = world.events.totalCount;
        const snapshotBefore = JSON.stringify(world.getSnapshot());
        const answer = world.check(guest.name, command);
        expect(world.events.totalCount).toBe(eventsBefore);
        expect(JSON.stringify(world.getSnapshot())).toBe(snapshotBefore);
        expect(world.command(guest.name, command)).toEqual(answer);
        world.advanceBy(((round++ * 7919) % 900) * 1000);
      }
    }
    expect(world.check('nobody', {do: 'secure'})).toEqual({
      ok: false,
      code: 'no-such-vm',
      reason: 'no guest named "nobody"',
    });
  });
});

describe('planConfigChange (pure)', () => {
  it('says what a new world changes, in the order the world carries it out', () => {
    const previous = defaultConfig();
    const [web, db, ...others] = previous.guests;
    const next = {
      ...previous,
      hosts: [
        ...previous.hosts
          .filter((host) => host.name !== 'delta')
          .map((host) => (host.name === 'gamma' ? {...host, memory: host.memory * 2} : host)),
        {name: 'zeta', memory: 64 * 2 ** 30, secureMigration: false, ultravisor: null, stack: 'mainline'},
      ],
      guests: [
        {...web!, workload: {profile: 'idle' as const}},
        {...db!, memory: db!.memory * 2},
        ...others.filter((guest) => guest.host !== 'delta'),
      ],
    };
    const plan = planConfigChange(previous, next as typeof previous);
    expect(plan.addedHosts.map((host) => host.name)).toEqual(['zeta']);
    expect(plan.removedHosts).toEqual(['delta']);
    expect(plan.removedGuests).toEqual(['bounce-test']);
    expect(plan.guestSteps.map((step) => `${step.kind} ${step.config.name}`)).toEqual([
      'live web-1',
      'recreate db-1',
    ]);
    expect(plan.lines).toEqual([
      'host gamma: changes apply when svmtop restarts',
      'host zeta added',
      'host delta removed',
      'guest bounce-test removed',
      'guest web-1: workload changed',
      'guest db-1 recreated (memory changed)',
    ]);
    expect(planConfigChange(previous, previous).lines).toEqual([]);
  });

  it('a live reload removes a host that left the config, adds a new one, and the snapshot says so', () => {
    const previous = defaultConfig();
    const world = startWorld(previous, 6, {seconds: 3});
    const next = {
      ...previous,
      hosts: [
        ...previous.hosts.filter((host) => host.name !== 'delta'),
        {...previous.hosts.find((host) => host.name === 'delta')!, name: 'epsilon'},
      ],
      guests: previous.guests.filter((guest) => guest.host !== 'delta'),
    };
    world.applyConfig(next);
    runChecked(world, 2);
    expect(world.getSnapshot().hosts.map((host) => host.name)).toEqual(['alpha', 'beta', 'gamma', 'epsilon']);
  });
});

describe('snapshots carry codes beside messages', () => {
  it('balloon reasons, the ESM failure code and whether memory is protected', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 14});
    expect(vm(world, 'db-1').balloon).toMatchObject({available: false, reasonCode: 'refused-at-probe'});
    expect(vm(world, 'web-1').balloon).toMatchObject({available: false, reasonCode: 'features-refused'});
    expect(vm(world, 'rfc-1').balloon).toMatchObject({available: true, reasonCode: 'deflate-only'});
    expect(vm(world, 'rfc-1').security).toMatchObject({memoryProtected: true, failureCode: null});
    expect(vm(world, 'churn-1').balloon).toMatchObject({available: true, reasonCode: null});
    expect(vm(world, 'churn-1').security.memoryProtected).toBe(false);
    const rogue = vm(world, 'rogue-1').security;
    expect(world.secure('rogue-1').ok).toBe(true);
    runChecked(world, 10);
    expect(rogue.failureCode).toBeNull();
    expect(vm(world, 'rogue-1').security).toMatchObject({state: 'failed', failureCode: 'U_PERMISSION'});
    expect(vm(world, 'rogue-1').security.failure).toMatch(/^U_PERMISSION: /);
  });
});

describe('broken invariants assert, naming the rule', () => {
  it('the ultravisor never releases more than a holder holds (it used to clamp at 0)', () => {
    const world = startWorld(defaultConfig(), 1);
    const ultravisor = world.hosts.get('alpha')!.ultravisor!;
    expect(ultravisor.reserve({kind: 'other-tenant'}, 4096)).toBe(true);
    expect(() => ultravisor.release({kind: 'other-tenant'}, 8192)).toThrow(
      'ultravisor: another tenant releases 8192 bytes of secure memory but holds 4096',
    );
    expect(() => ultravisor.release({kind: 'guest', vm: 'web-1'}, 1)).toThrow(/web-1 releases 1 bytes/);
    expect(() => ultravisor.convert(world.guest('web-1')!.memory, -1, 2)).toThrow(
      /UV_PAGE_IN of pages -1\+2 outside/,
    );
  });

  it('a throttle outside 0..99% and a link from a host to itself are programmer errors', () => {
    const world = startWorld(defaultConfig(), 1);
    expect(() => world.guest('web-1')!.setThrottle(1)).toThrow(/throttle 1 outside 0..0.99/);
    expect(() => world.links.setDown('alpha', 'alpha', true)).toThrow(/not alpha to itself/);
    expect(world.setLinkDown('alpha', 'alpha', true)).toMatchObject({
      ok: false,
      code: 'fault-not-applicable',
    });
  });
});
