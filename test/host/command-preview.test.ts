import {describe, expect, it} from 'vitest';
import {checkStep, runStep} from '../../src/host/command-dispatch.js';
import {
  commandToStep,
  previewCommand,
  type PreviewRequest,
  type VmCommand,
} from '../../src/host/command-preview.js';
import {SECURE_BALLOON_REASON} from '../../src/host/balloon-policy.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

function worldAt(seconds: number, setup: (world: ReturnType<typeof startWorld>) => void = () => {}) {
  const world = startWorld(defaultConfig(), 1, {seconds, unchecked: true});
  setup(world);
  return world;
}

const texts = (preview: ReturnType<typeof previewCommand>) =>
  preview.ok ? preview.consequences.map((consequence) => `${consequence.code}: ${consequence.text}`) : [];

describe('previewCommand: would the host refuse, and what will the command do', () => {
  it('says how going secure ends on each guest of the default world (item 8)', () => {
    const world = worldAt(12);
    expect(texts(previewCommand(world, {kind: 'secure', vm: 'bounce-test'}))).toEqual([
      'kexec: kexec into its kernel with svm=on',
      'will-halt: delta has no ultravisor: H_SVM_INIT_START will return H_UNSUPPORTED and bounce-test will halt',
    ]);
    expect(texts(previewCommand(world, {kind: 'secure', vm: 'rogue-1'}))[1]).toMatch(
      /^will-halt: the ultravisor will refuse its ticket \(U_PERMISSION: ticket signed by "rogue-owner", a key this ultravisor does not trust\) and rogue-1 will halt$/,
    );
    // The 2018-era stack: no opt-in, so the guest goes secure undeclared and its devices fault.
    expect(texts(previewCommand(world, {kind: 'secure', vm: 'legacy-1'}))).toEqual([
      'kexec: kexec into its kernel with svm=on',
      'devices-fault: 4 devices will fault when used (net, blk, console, balloon: no ACCESS_PLATFORM, raw addresses under ACCESS_PLATFORM-gated (every pseries kernel, mainline too))',
      'undeclared: it is declared launchSecurity: none, so management will not know it is secure',
    ]);
    // Mainline: a VM that did not opt in is NAKed (book3s_hv_uvmem.c kvmppc_h_svm_init_start).
    expect(texts(previewCommand(world, {kind: 'secure', vm: 'churn-1'}))[1]).toBe(
      'will-halt: KVM on alpha will NAK H_SVM_INIT_START with H_AUTHORITY: churn-1 was not started with confidential guest support (launchSecurity none), so it will halt',
    );
    // A pef-guest VM: every device offers ACCESS_PLATFORM, and only the balloon fails probe
    // (hw/virtio/virtio.c virtio_validate_features after virtballoon_validate).
    expect(texts(previewCommand(world, {kind: 'reboot', vm: 'web-1'}))).toEqual([
      'reboot: reboots; svm=on stays',
      'devices-refused: 1 device will fail probe (balloon: QEMU refuses FEATURES_OK, ACCESS_PLATFORM offered and cleared by the driver)',
    ]);
    expect(texts(previewCommand(world, {kind: 'reboot', vm: 'db-1'}))[1]).toBe(
      'devices-refused: 1 device will be refused at probe (balloon: no ACCESS_PLATFORM, restricted memory access (s390 PV, SEV, TDX, arm64 realms; not pseries))',
    );
    expect(previewCommand(world, {kind: 'secure', vm: 'batch-1'})).toMatchObject({
      ok: false,
      code: 'already-secure',
    });
  });

  it('refuses what the host would refuse on a migrating guest, and lists no destinations for it', () => {
    const world = worldAt(12, (w) => w.migrate('churn-1', 'beta'));
    expect(previewCommand(world, {kind: 'secure', vm: 'churn-1'})).toMatchObject({
      ok: false,
      code: 'migrating',
    });
    expect(previewCommand(world, {kind: 'migrate', vm: 'churn-1', to: null})).toMatchObject({
      ok: false,
      code: 'migrating',
    });
    expect(previewCommand(world, {kind: 'migrate-cancel', vm: 'churn-1'}).ok).toBe(true);
    expect(previewCommand(world, {kind: 'migrate-cancel', vm: 'web-1'})).toMatchObject({
      code: 'not-migrating',
    });
  });

  it('a balloon on a secure guest needs force, and then reclaims nothing; a pef-guest VM has none', () => {
    const world = worldAt(12);
    const request = {kind: 'balloon', vm: 'rfc-1', targetBytes: 2 ** 28, isForced: false} as const;
    expect(previewCommand(world, request)).toMatchObject({ok: false, code: 'memory-protected'});
    expect(texts(previewCommand(world, {...request, isForced: true}))).toEqual([
      `reclaims-nothing: ${SECURE_BALLOON_REASON}`,
    ]);
    // Deflating gives the guest pages back: nothing to warn of (test: the warning was on any target).
    const world2 = worldAt(12);
    expect(world2.balloon('rfc-1', 2 ** 28, true)).toMatchObject({ok: true});
    expect(previewCommand(world2, {...request, targetBytes: 2 ** 27})).toEqual({
      ok: true,
      consequences: [],
      targets: [],
    });
    expect(previewCommand(world, {...request, vm: 'db-1'})).toMatchObject({code: 'balloon-refused'});
    expect(previewCommand(world, {...request, vm: 'web-1', isForced: true})).toEqual({
      ok: false,
      code: 'balloon-refused',
      reason:
        'no balloon driver: QEMU refuses FEATURES_OK (virtio: device refuses features: 3): the device offers ACCESS_PLATFORM, forced by confidential guest support, and virtio_balloon always clears it',
    });
  });

  it('agrees with the host on every command for every guest, through boots, migrations and halts', () => {
    // Each command is previewed and then run on the same state, so the world moves on between
    // them (guests reboot, go secure, migrate, halt) and the pairs cover many states.
    const names = defaultConfig().guests.map((guest) => guest.name);
    for (const [seconds, setup] of [
      [3, () => {}],
      [12, (world: ReturnType<typeof startWorld>) => world.migrate('churn-1', 'beta')],
    ] as const) {
      const world = worldAt(seconds, setup);
      let checked = 0;
      for (let round = 0; round < 3; round++) {
        for (const vm of names) {
          const commands: VmCommand[] = [
            {kind: 'balloon', vm, targetBytes: 2 ** 28, isForced: round === 1},
            {kind: 'migrate', vm, to: round === 0 ? 'gamma' : 'alpha'},
            {kind: 'migrate-cancel', vm},
            {kind: round === 2 ? 'unsecure' : 'secure', vm},
            {kind: 'reboot', vm},
          ];
          for (const command of commands) {
            const preview = previewCommand(world, command as PreviewRequest);
            const result = runStep(world, commandToStep(command, world.nowUs));
            expect(
              preview.ok,
              `t=${world.nowUs / 1e6}s ${JSON.stringify(command)}: host said ${JSON.stringify(result)}`,
            ).toBe(result.ok);
            checked++;
          }
          world.advanceBy(700_000);
          if (round === 1 && vm === 'rogue-1') world.crash('legacy-1');
        }
      }
      expect(checked).toBe(names.length * 15);
    }
  });
});

describe('previewCommand takes its answer from the host, and its plan from the lifecycle', () => {
  it('says what the lifecycle will do: a kernel booted with svm=off (probe phase) is kexeced, a bootloader just reads svm=on', () => {
    // The preview once read "this boot" from state=booting, while the lifecycle kexecs from probe.
    const probing = worldAt(2.7);
    expect(probing.getSnapshot().vms.find((vm) => vm.name === 'legacy-1')?.security.phase).toBe('probe');
    expect(texts(previewCommand(probing, {kind: 'secure', vm: 'legacy-1'}))[0]).toBe(
      'kexec: kexec into its kernel with svm=on',
    );
    const loading = worldAt(1.5);
    expect(loading.getSnapshot().vms.find((vm) => vm.name === 'legacy-1')?.security.phase).toBe('bootloader');
    expect(texts(previewCommand(loading, {kind: 'secure', vm: 'legacy-1'}))[0]).toBe(
      'kexec: this boot enters secure mode',
    );
  });

  it("a refusal is the host's own answer, code and reason alike", () => {
    const world = worldAt(12);
    world.crash('legacy-1');
    for (const request of [
      {kind: 'secure', vm: 'batch-1'},
      {kind: 'balloon', vm: 'db-1', targetBytes: 2 ** 28, isForced: true},
      {kind: 'migrate', vm: 'bounce-test', to: 'nowhere'},
      {kind: 'migrate-cancel', vm: 'web-1'},
      {kind: 'pause', vm: 'legacy-1'},
    ] as const satisfies readonly VmCommand[]) {
      const preview = previewCommand(world, request);
      expect(preview.ok, JSON.stringify(request)).toBe(false);
      expect(preview).toEqual(checkStep(world, commandToStep(request, 0)));
    }
    expect(previewCommand(world, {kind: 'migrate', vm: 'legacy-1', to: null})).toEqual(
      world.check('legacy-1', {do: 'migrate', to: null}),
    );
  });
});
