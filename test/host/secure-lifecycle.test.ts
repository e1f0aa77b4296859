import {generateKeyPairSync} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {PageState} from '../../src/core/guest-memory.js';
import {
  guestImageBytes,
  imageDigest,
  publicKeyFromBase64,
  publicKeyToBase64,
  signDigest,
  verifyDigest,
} from '../../src/host/ticket.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

const DEVICES = '[{type: blk, iommu: on}, {type: net, iommu: on}]';

describe('the secure transition', () => {
  it('goes esm → verify → convert (with progress) → init-done → swiotlb → reprobe → secure, in the kernel’s and KVM’s words', () => {
    const world = startWorld(
      worldYaml([{svm: true, memory: '8GiB', policy: 'restricted', devices: DEVICES}]),
      31,
    );
    const phases: string[] = [];
    const progress: number[] = [];
    for (let step = 0; step < 1000; step++) {
      world.advanceBy(10_000);
      const snapshot = vm(world, 'g1');
      if (phases.at(-1) !== snapshot.security.phase) phases.push(snapshot.security.phase);
      if (snapshot.security.phase === 'convert') progress.push(snapshot.security.progress);
    }
    expect(phases).toEqual([
      'firmware',
      'bootloader',
      'kernel',
      'esm',
      'verify',
      'convert',
      'init-done',
      'swiotlb',
      'reprobe',
      'secure',
    ]);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const messages = eventsOf(world, 'g1');
    expect(messages).toContain('Switching to secure mode.');
    expect(messages.some((message) => /^KVM: LPID \d+ went secure$/.test(message))).toBe(true);
    expect(messages.some((message) => message.startsWith('software IO TLB: mapped [mem 0x'))).toBe(true);
    const memory = world.guest('g1')!.memory;
    expect(memory.countInState(PageState.shared)).toBeGreaterThan(0);
    expect(memory.countInState(PageState.normal)).toBe(0);
  });

  it('takes longer for a larger guest (conversion runs at the ultravisor’s rate)', () => {
    const timeToSecure = (memory: string) => {
      const world = startWorld(worldYaml([{svm: true, memory, policy: 'restricted', devices: DEVICES}]), 32);
      for (let step = 0; step < 400; step++) {
        world.advanceBy(50_000);
        if (vm(world, 'g1').security.state === 'secure') return world.nowUs;
      }
      throw new Error('never became secure');
    };
    expect(timeToSecure('8GiB') - timeToSecure('1GiB')).toBeGreaterThan(3_000_000);
  });

  it('halts with U_PERMISSION when the image was tampered with', () => {
    const yaml = worldYaml([{svm: true, devices: DEVICES}]).replace('initramfs-web', 'initramfs-evil');
    const world = startWorld(yaml, 33, {seconds: 6});
    expect(vm(world, 'g1')).toMatchObject({
      state: 'halted',
      security: expect.objectContaining({
        state: 'failed',
        failure: expect.stringMatching(
          /^U_PERMISSION: ticket signature by "owner-demo" does not verify for image sha256:/,
        ),
      }),
    });
    expect(world.hosts.get('uv1')!.ultravisor!.secureUsedBytes).toBe(0);
  });

  it('pause and resume work while converting, and the transition finishes after resume', () => {
    const world = startWorld(
      worldYaml([{svm: true, memory: '8GiB', policy: 'restricted', devices: DEVICES}]),
      34,
    );
    while (vm(world, 'g1').security.phase !== 'convert') world.advanceBy(50_000);
    expect(world.pause('g1').ok).toBe(true);
    const frozen = vm(world, 'g1').security.progress;
    world.advanceBy(5_000_000);
    expect(vm(world, 'g1')).toMatchObject({
      state: 'paused',
      security: expect.objectContaining({progress: frozen}),
    });
    expect(world.resume('g1').ok).toBe(true);
    runChecked(world, 10);
    expect(vm(world, 'g1').security.state).toBe('secure');
  });

  it('refuses commands that make no sense, saying which state and why', () => {
    const world = startWorld(worldYaml([{svm: true, devices: DEVICES}]), 35, {seconds: 8});
    expect(world.secure('g1')).toEqual({ok: false, code: 'already-secure', reason: 'g1 is already secure'});
    expect(world.resume('g1')).toEqual({ok: false, code: 'not-paused', reason: 'g1 is not paused'});
    expect(world.setPolicy('g1', 'access-platform-gated')).toEqual({
      ok: false,
      code: 'same-policy',
      reason: 'dmaPolicy is already access-platform-gated',
    });
    expect(world.setPolicy('g1', 'restricted')).toEqual({
      ok: true,
      message: 'dmaPolicy restricted takes effect at the next boot',
    });
    expect(world.reboot('nobody')).toEqual({
      ok: false,
      code: 'no-such-vm',
      reason: 'no guest named "nobody"',
    });
  });
});

describe('tickets', () => {
  it('sign and verify an image with Ed25519 over its SHA-256; any change to the image or key fails', () => {
    const {privateKey, publicKey} = generateKeyPairSync('ed25519');
    const image = guestImageBytes({kernel: 'k', initrd: 'i', size: 65536});
    const signature = signDigest(imageDigest(image), privateKey);
    const key = publicKeyFromBase64(publicKeyToBase64(publicKey));
    expect(verifyDigest(imageDigest(image), signature, key)).toBe(true);
    image.writeUInt8(image.readUInt8(100) ^ 1, 100);
    expect(verifyDigest(imageDigest(image), signature, key)).toBe(false);
    expect(
      verifyDigest(
        imageDigest(guestImageBytes({kernel: 'k', initrd: 'i', size: 65536})),
        signature,
        publicKeyFromBase64(publicKeyToBase64(generateKeyPairSync('ed25519').publicKey)),
      ),
    ).toBe(false);
  });

  it('generates the same image from the same config', () => {
    expect(
      guestImageBytes({kernel: 'a', initrd: 'b', size: 4096}).equals(
        guestImageBytes({kernel: 'a', initrd: 'b', size: 4096}),
      ),
    ).toBe(true);
  });
});
