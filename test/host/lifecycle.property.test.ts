import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {
  initialLifecycle,
  type Effect,
  type GuestEvent,
  type Lifecycle,
  type LifecycleCommand,
  type LifecycleEvent,
} from '../../src/host/lifecycle/lifecycle.js';
import {securityStateOf, vmStateOf} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';

const SEED = Number(process.env.LIFECYCLE_SEED ?? 20_260_512);

/** What the world around the lifecycle does at a random instant. */
type Action =
  | {readonly kind: 'command'; readonly command: LifecycleCommand}
  | {readonly kind: 'guest-runs'; readonly isFailure: boolean}
  | {readonly kind: 'migration-step'};

/** Power-off is one command in nine, so that the guest still reaches every other stage often. */
const commandArbitrary: fc.Arbitrary<LifecycleCommand> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<LifecycleCommand>(
      {type: 'pause'},
      {type: 'resume'},
      {type: 'reboot'},
      {type: 'reset'},
      {type: 'secure'},
      {type: 'unsecure'},
      {type: 'migrate'},
      {type: 'balloon'},
      {type: 'crash', message: 'fault'},
      {type: 'set-svm', svm: true},
      {type: 'set-svm', svm: false},
      {type: 'set-workload', workload: {profile: 'idle'}},
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom('access-platform-gated', 'force-dma-api', 'restricted')
      .map((policy): LifecycleCommand => ({type: 'set-policy', policy})),
  },
  {
    weight: 1,
    arbitrary: fc.boolean().map((isGraceful): LifecycleCommand => ({type: 'power-off', isGraceful})),
  },
);

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  {weight: 3, arbitrary: commandArbitrary.map((command): Action => ({kind: 'command', command}))},
  {
    weight: 6,
    arbitrary: fc
      .integer({min: 0, max: 9})
      .map((roll): Action => ({kind: 'guest-runs', isFailure: roll === 0})),
  },
  {weight: 2, arbitrary: fc.constant<Action>({kind: 'migration-step'})},
);

const BOOT_STEP_DONE = {
  firmware: 'firmware-done',
  bootloader: 'bootloader-done',
  kernel: 'kernel-early',
  probe: 'probe-done',
} as const;

/** The event the guest's own code would report next, as its timers would; null when it waits for nothing. */
function dueGuestEvent(lifecycle: Lifecycle, isFailure: boolean): GuestEvent | null {
  const {stage} = lifecycle;
  switch (stage.kind) {
    case 'off':
      return {type: 'power-on'};
    case 'booting':
      if (stage.step === 'bootloader' && isFailure) return {type: 'boot-failed', message: 'read error'};
      return {type: BOOT_STEP_DONE[stage.step]};
    case 'entering-secure':
      return dueSecureEvent(lifecycle, isFailure);
    case 'shutting-down':
      return {type: 'drained'};
    default:
      return null;
  }
}

function dueSecureEvent(lifecycle: Lifecycle, isFailure: boolean): GuestEvent {
  const {stage} = lifecycle;
  if (stage.kind !== 'entering-secure') throw new Error('not entering secure mode');
  if ((stage.step === 'esm' || stage.step === 'verify') && isFailure)
    return {type: 'esm-failed', failure: {code: 'U_PERMISSION', reason: 'bad ticket'}};
  if (stage.step === 'verify' && !lifecycle.isSvm) return {type: 'svm-init-start'};
  const order = ['esm', 'verify', 'convert', 'init-done', 'swiotlb', 'reprobe'] as const;
  const index = order.indexOf(stage.step);
  const next = order[index + 1];
  return next
    ? {type: 'secure-step', step: next, progress: next === 'convert' ? 0.5 : 1}
    : {type: 'esm-done'};
}

/** One run: the lifecycle, the migration the harness plays, what was promised and what happened. */
class Harness {
  lifecycle: Lifecycle = initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'});
  migration: 'none' | 'pre-copy' | 'stopped' = 'none';
  isSecurePromised = false;
  readonly log: string[] = [];
  readonly seen = new Set<string>();

  step(event: LifecycleEvent): void {
    const before = this.lifecycle;
    const {next, effects, result} = transition(before, event);
    this.log.push(
      `${event.type} -> ${result.ok ? 'ok' : `refused ${result.code}`} ${JSON.stringify(next.stage)}`,
    );
    if (!result.ok) {
      expect(next).toBe(before);
      expect(effects).toEqual([]);
      expect(result.reason.includes('g1') || result.code === 'same-policy').toBe(true);
    }
    this.lifecycle = next;
    this.seen.add(stageName(next));
    checkConsistent(next);
    this.#account(event, result.ok, effects);
  }

  #account(event: LifecycleEvent, isOk: boolean, effects: readonly Effect[]): void {
    if (effects.some((effect) => effect.kind === 'enter-secure-mode')) this.isSecurePromised = false;
    if (!isOk) return;
    if (event.type === 'secure') this.isSecurePromised = true;
    const intervenes =
      event.type === 'unsecure' ||
      event.type === 'crash' ||
      event.type === 'power-off' ||
      event.type === 'boot-failed' ||
      (event.type === 'set-svm' && !event.svm);
    if (intervenes) this.isSecurePromised = false;
    if (event.type === 'migrate' && this.migration === 'none') {
      this.migration = 'pre-copy';
      this.step({type: 'migration-started'});
    }
    if (effects.some((effect) => effect.kind === 'fail-migration')) this.#endMigration();
  }

  act(action: Action): void {
    if (action.kind === 'command') return this.step(action.command);
    if (action.kind === 'migration-step') return this.#migrationStep();
    if (this.lifecycle.vcpu.kind !== 'running') return;
    const event = dueGuestEvent(this.lifecycle, action.isFailure);
    if (event) this.step(event);
  }

  #migrationStep(): void {
    if (this.migration === 'pre-copy') {
      this.migration = 'stopped';
      this.step({type: 'migration-stop-vcpus'});
    } else if (this.migration === 'stopped') this.#endMigration();
  }

  #endMigration(): void {
    if (this.migration === 'none') return;
    this.migration = 'none';
    this.step({type: 'migration-ended', isGuestGoing: false});
  }

  /** Lets everything under way finish: the migration ends, the vCPUs run, the guest reaches a resting stage. */
  settle(): void {
    this.#endMigration();
    if (this.lifecycle.vcpu.kind === 'paused') this.step({type: 'resume'});
    for (let guard = 0; guard < 50; guard++) {
      const event = dueGuestEvent(this.lifecycle, false);
      if (!event) return;
      this.step(event);
    }
    throw new Error(`never settled: ${this.log.slice(-5).join(' | ')}`);
  }
}

function stageName(lifecycle: Lifecycle): string {
  const {stage} = lifecycle;
  if (stage.kind === 'booting' || stage.kind === 'entering-secure') return `${stage.kind}/${stage.step}`;
  if (stage.kind === 'halted') return `halted/${stage.cause}`;
  if (stage.kind === 'running') return lifecycle.isSvm ? 'running/secure' : 'running/normal';
  return stage.kind === 'shutting-down' ? `shutting-down/${stage.next}` : stage.kind;
}

/** The fields never say two things at once. */
function checkConsistent(lifecycle: Lifecycle): void {
  const {stage, vcpu} = lifecycle;
  if (stage.kind === 'halted' || stage.kind === 'off' || stage.kind === 'booting')
    expect(lifecycle.isSvm).toBe(false);
  if (stage.kind === 'entering-secure' && lifecycle.isSvm)
    expect(['verify', 'convert', 'init-done', 'swiotlb', 'reprobe']).toContain(stage.step);
  if (vcpu.kind === 'stopped-for-migration') expect(lifecycle.isMigrating).toBe(true);
  if (stage.kind === 'running' && lifecycle.isSvm) expect(securityStateOf(lifecycle)).toBe('secure');
  if (stage.kind === 'halted') expect(vmStateOf(lifecycle)).toBe('halted');
  // Held after a reset: nothing past the firmware runs until resumed (a panic may still halt it).
  // Work that waits for the vCPUs (a kexec asked for while paused) waits only while they are stopped.
  if (stage.kind === 'shutting-down' && stage.waitsIn !== undefined) expect(vcpu.kind).not.toBe('running');
  if (vcpu.kind === 'paused' && vcpu.isHeldAfterReset)
    expect(['shutting-down/cold-boot', 'booting/firmware', 'halted/panic']).toContain(stageName(lifecycle));
}

describe(`the lifecycle transition function under random commands and events (seed ${SEED}, LIFECYCLE_SEED=N to change)`, () => {
  const reached = new Set<string>();

  it('keeps every promise it answers ok, refuses without changing anything and names the guest, and never says two things at once', () => {
    fc.assert(
      fc.property(fc.array(actionArbitrary, {minLength: 1, maxLength: 60}), (actions) => {
        const harness = new Harness();
        harness.step({type: 'power-on'});
        for (const action of actions) harness.act(action);
        harness.settle();
        for (const name of harness.seen) reached.add(name);
        if (harness.isSecurePromised)
          throw new Error(
            `secure was answered ok but the guest never entered ESM:\n${harness.log.join('\n')}`,
          );
      }),
      {seed: SEED, numRuns: 800},
    );
  });

  it('reaches every stage', () => {
    expect([...reached].sort()).toEqual(
      [
        'booting/bootloader',
        'booting/firmware',
        'booting/kernel',
        'booting/probe',
        'entering-secure/convert',
        'entering-secure/esm',
        'entering-secure/init-done',
        'entering-secure/reprobe',
        'entering-secure/swiotlb',
        'entering-secure/verify',
        'halted/bootloader',
        'halted/os-term',
        'halted/panic',
        'halted/power-off',
        'halted/shutdown',
        'running/normal',
        'running/secure',
        'shutting-down/cold-boot',
        'shutting-down/kexec',
        'shutting-down/power-off',
      ].sort(),
    );
  });

  it('throws, naming the rule, when the guest reports a step its stage cannot take', () => {
    const off = initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'});
    expect(() => transition(off, {type: 'probe-done'})).toThrow(/event probe-done cannot happen/);
    expect(() => transition(off, {type: 'migration-ended', isGuestGoing: false})).toThrow(
      /event migration-ended cannot happen/,
    );
  });
});
