import {describe, expect, it} from 'vitest';
import {parseWorldText} from '../../src/host/config/load-world.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {configFromYaml, device, eventsOf, startWorld, vm} from '../helpers/world.js';

const DEVICES = '[{type: net}, {type: blk, iommu: on}, {type: console}, {type: balloon}]';

function mainline(declared: string, options: {host?: string; svm?: boolean} = {}) {
  const yaml = worldYaml(
    [{declared, host: options.host ?? 'uv1', svm: options.svm ?? true, devices: DEVICES}],
    '',
    'mainline',
  );
  return startWorld(yaml, 41, {seconds: 12});
}

describe('the mainline stack: management opts in (DESIGN §2.6)', () => {
  it('KVM NAKs H_SVM_INIT_START with H_AUTHORITY for a VM without confidential guest support (book3s_hv_uvmem.c kvmppc_h_svm_init_start), and prom_init prints the return code with %d', () => {
    const world = mainline('none');
    expect(vm(world, 'g1')).toMatchObject({
      state: 'halted',
      security: expect.objectContaining({
        state: 'failed',
        failureCode: 'H_AUTHORITY',
        confidentialGuestSupport: false,
      }),
    });
    const events = eventsOf(world, 'g1');
    const from = events.indexOf('Switching to secure mode.');
    // open-power/ultravisor core/uvcall.c uv_esm_svm aborts; KVM's H_SVM_INIT_ABORT returns H_PARAMETER.
    expect(events.slice(from, from + 7)).toEqual([
      'Switching to secure mode.',
      'UV: uv_esm_svm(): H_SVM_INIT_START returned [-10]',
      'UV: UV_ESM: issuing H_SVM_INIT_ABORT',
      expect.stringMatching(/^UV: KVM on uv1 NAKs H_SVM_INIT_START/),
      'Returned -4 from switching to secure mode.',
      expect.stringMatching(
        /^\(-4 is H_PARAMETER: KVM's answer to the ultravisor's H_SVM_INIT_ABORT after H_SVM_INIT_START returned H_AUTHORITY \(-10\)\)$/,
      ),
      'Switch to secure mode failed.',
    ]);
  });

  it('required and allowed start the machine with pef-guest: QEMU forces iommu_platform=on on every virtio device (hw/core/machine.c)', () => {
    for (const declared of ['required', 'allowed']) {
      const world = mainline(declared);
      const snapshot = vm(world, 'g1');
      expect(snapshot.security).toMatchObject({state: 'secure', confidentialGuestSupport: true});
      for (const each of snapshot.devices) {
        expect(each.offersAccessPlatform).toBe(true);
        expect(each.accessPlatformForced).toBe(true);
        expect(each.featuresOffered).toContain('ACCESS_PLATFORM');
      }
      // The gated pseries kernel now uses the DMA API for all of them, bouncing through swiotlb.
      for (const type of ['net', 'blk', 'console'])
        expect(device(world, 'g1', type)).toMatchObject({dma: 'dma-api', bounces: true, status: 'ok'});
    }
  });

  it('allowed means no pef-guest where the host has no ultravisor; required cannot start there (hw/ppc/pef.c kvmppc_svm_init)', () => {
    const world = mainline('allowed', {host: 'plain', svm: false});
    expect(vm(world, 'g1').security.confidentialGuestSupport).toBe(false);
    expect(device(world, 'g1', 'net').offersAccessPlatform).toBe(false);
    const refused = parseWorldText(
      'w.yaml',
      worldYaml([{declared: 'required', host: 'plain', devices: '[]'}], '', 'mainline'),
    );
    expect(refused.ok ? '' : refused.error).toBe(
      'w.yaml: guests[0].launchSecurity: QEMU on plain cannot start a pef-guest machine: "KVM implementation does not support Secure VMs (is an ultravisor running?)" (use allowed or none, or a host with an ultravisor)',
    );
  });

  it('a pef-guest VM carries "PEF: Migration is not implemented" from machine start, secure or not (pef.c migrate_add_blocker)', () => {
    const world = mainline('allowed', {host: 'oldqemu', svm: false});
    expect(vm(world, 'g1').security.state).toBe('normal');
    const checks = world.migrationChecks('g1');
    expect(checks.find((check) => check.host === 'uv1')?.blockedReasons).toEqual([
      'PEF: Migration is not implemented',
    ]);
    expect(checks.find((check) => check.host === 'plain')?.blockedReasons).toEqual([
      'PEF: Migration is not implemented',
      'plain: KVM implementation does not support Secure VMs (is an ultravisor running?)',
    ]);
    // A host with secure migration models the seed's future: no blocker there.
    const future = mainline('allowed', {host: 'uv1', svm: false});
    expect(future.migrationChecks('g1').find((check) => check.host === 'uv2')?.blockedReasons).toEqual([]);
  });

  it('a change of launchSecurity starts a new QEMU (it is the machine’s command line), not a live change', () => {
    const yaml = worldYaml([{declared: 'none', svm: false, devices: DEVICES}], '', 'mainline');
    const world = startWorld(yaml, 42, {seconds: 3});
    const lines = world.applyConfig(
      configFromYaml(yaml.replace('launchSecurity: none', 'launchSecurity: required')),
    );
    expect(lines).toEqual(['guest g1 recreated (launchSecurity changed)']);
    expect(vm(world, 'g1').security.confidentialGuestSupport).toBe(true);
  });
});

describe('the 2018-era stack: no opt-in, no forced iommu_platform (the seed’s world)', () => {
  it('any guest turns secure, declared or not; only here can "secure (undeclared)" happen', () => {
    const world = startWorld(worldYaml([{declared: 'none', svm: true, devices: DEVICES}]), 43, {seconds: 12});
    expect(vm(world, 'g1').security).toMatchObject({
      state: 'secure',
      declared: 'none',
      confidentialGuestSupport: false,
    });
    expect(
      eventsOf(world, 'g1').some((line) =>
        line.startsWith('went secure but is declared launchSecurity: none'),
      ),
    ).toBe(true);
    // Devices keep what they offer: the gated kernel drives those without ACCESS_PLATFORM directly.
    expect(device(world, 'g1', 'blk')).toMatchObject({dma: 'dma-api', accessPlatformForced: false});
    expect(device(world, 'g1', 'net')).toMatchObject({dma: 'direct', offersAccessPlatform: false});
  });

  it('required is only what management was told: QEMU has no confidential-guest-support there', () => {
    const world = startWorld(worldYaml([{declared: 'required', svm: false, devices: DEVICES}]), 44, {
      seconds: 3,
    });
    expect(vm(world, 'g1').security.confidentialGuestSupport).toBe(false);
    expect(device(world, 'g1', 'net').offersAccessPlatform).toBe(false);
  });

  it('a secure guest of the 2018-era stack cannot go to a mainline KVM, which runs secure only VMs that opted in', () => {
    const hosts = `  - {name: mainline1, stack: mainline, memory: 64GiB, secureMigration: true, ultravisor: {secureMemory: 16GiB, trustedKeys: [owner-demo]}}`;
    const world = startWorld(worldYaml([{declared: 'none', svm: true, devices: '[]'}], hosts), 45, {
      seconds: 12,
    });
    const checks = world.migrationChecks('g1');
    expect(checks.find((check) => check.host === 'uv2')?.blockedReasons).toEqual([]);
    expect(checks.find((check) => check.host === 'mainline1')?.blockedReasons).toEqual([
      "mainline1's KVM runs secure guests only for VMs started with confidential guest support (svm_enabled)",
    ]);
  });
});

describe('SLOF and ACCESS_PLATFORM (aik/SLOF lib/libvirtio/virtio.c virtio_negotiate_guest_features)', () => {
  it('the 2018-era SLOF cannot use an iommu=on disk (QEMU refuses FEATURES_OK), so the kernel comes by -kernel; current SLOF binds it', () => {
    const old = startWorld(worldYaml([{svm: false, devices: '[{type: blk, iommu: on}]'}]), 46, {seconds: 4});
    const oldEvents = eventsOf(old, 'g1');
    expect(oldEvents).toContain(
      'virtio_blk virtio0: SLOF: the device refuses FEATURES_OK: this SLOF does not accept VIRTIO_F_IOMMU_PLATFORM',
    );
    expect(oldEvents.some((line) => line.startsWith('bootloader: loaded'))).toBe(false);
    expect(vm(old, 'g1').state).toBe('running');
    const current = startWorld(
      worldYaml([{svm: false, devices: '[{type: blk, iommu: on}]'}], '', 'mainline'),
      46,
      {seconds: 4},
    );
    expect(eventsOf(current, 'g1').some((line) => line.startsWith('bootloader: loaded'))).toBe(true);
  });
});
