import {describe, expect, it} from 'vitest';
import {GUEST_PAGE_SIZE} from '../../src/core/guest-memory.js';
import {MemoryView} from '../../src/core/memory-view.js';
import {initialLifecycle, type Lifecycle} from '../../src/host/lifecycle/lifecycle.js';
import {transition} from '../../src/host/lifecycle/transition.js';
import {DIRTY_REGION_START} from '../../src/host/config/guest-capacity.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {device, eventsOf, runChecked, startWorld, vm} from '../helpers/world.js';

const DIRECT_DEVICES = '[{type: net}, {type: blk}, {type: console}, {type: rng}, {type: balloon}]';

/** The exact `virtio_error` texts of qemu/qemu hw/virtio/virtio.c, by the check that prints each. */
const QEMU_TEXT: Record<string, RegExp> = {
  'head-out-of-range': /^Guest says index (\d+) is available$/, // virtqueue_get_head
  'avail-index-moved': /^Guest moved used index from (\d+) to (\d+)$/, // virtqueue_num_heads
  'bogus-descriptor': /^virtio: bogus descriptor or out of resources$/, // virtqueue_map_desc
  'indirect-table-size': /^Invalid size for indirect buffer table$/, // virtqueue_split_pop
  'indirect-table-unmapped': /^Cannot map indirect buffer$/,
  'zero-sized-buffer': /^virtio: zero sized buffers are not allowed$/,
  'descriptor-order': /^Incorrect order for descriptors$/,
  'looped-descriptor': /^Looped descriptor$/,
  'next-out-of-range': /^Desc next is (\d+)$/,
};

function legacySecureGuest(seed: number) {
  return startWorld(
    worldYaml([{svm: true, policy: 'legacy', workload: 'web', devices: DIRECT_DEVICES}]),
    seed,
    {seconds: 15},
  );
}

describe('a legacy secure guest’s devices read their rings paged out, encrypted (DESIGN §2.2)', () => {
  it.each([1, 2, 3])(
    'seed %i: every device the guest drove ends in NEEDS_RESET with the QEMU text for the bytes it read, and counts its page-outs',
    (seed) => {
      const world = legacySecureGuest(seed);
      for (const type of ['net', 'blk', 'console', 'rng']) {
        const entry = device(world, 'g1', type);
        expect(entry.dma, type).toBe('direct');
        expect(entry.status, type).toBe('needs-reset');
        expect(entry.faults, `${type} page-outs`).toBeGreaterThan(0);
        const text = QEMU_TEXT[entry.errorCode!];
        expect(text, `${type}: ${entry.errorCode}`).toBeDefined();
        const match = text!.exec(entry.error!);
        expect(match, `${type}: ${entry.error}`).not.toBeNull();
        // What made it fail is a value no ring of 256 entries can hold: ciphertext, not the guest's ring.
        if (entry.errorCode === 'head-out-of-range') expect(Number(match![1])).toBeGreaterThanOrEqual(256);
        if (entry.errorCode === 'avail-index-moved')
          expect((Number(match![2]) - Number(match![1])) & 0xffff).toBeGreaterThan(256);
      }
      // virtio-rng walks the available chains first (`get_request_size` → `virtqueue_get_avail_bytes`).
      expect(device(world, 'g1', 'rng').errorCode).toBe('avail-index-moved');
      // The balloon was never asked to inflate: the hypervisor never touched its rings.
      expect(device(world, 'g1', 'balloon')).toMatchObject({status: 'ok', faults: 0});
      expect(eventsOf(world, 'g1').some((message) => message.includes('Cannot map vring'))).toBe(false);
    },
  );
});

describe('a hypervisor write to a secure page, then the guest’s touch (UV_PAGE_IN, IAPM integrity)', () => {
  it('kvmppc_send_page_to_uv fails, KVM_RUN returns EFAULT, QEMU stops the VM: "error: kvm run failed Bad address"', () => {
    const world = startWorld(
      worldYaml([{svm: true, policy: 'force-dma-api', workload: 'churn', devices: '[{type: blk}]'}]),
      2,
      {seconds: 15},
    );
    expect(vm(world, 'g1').security.state).toBe('secure');
    const guest = world.guest('g1')!;
    const qemu = new MemoryView(guest.memory, true);
    // QEMU writes into the first pages the guest's program dirties next (a bug or a hostile host).
    for (let page = 0; page < 4; page++)
      qemu.writeU32(DIRTY_REGION_START + page * GUEST_PAGE_SIZE + 8, 0xdead);
    expect(qemu.pageOuts).toBe(4);
    runChecked(world, 2);
    expect(vm(world, 'g1').state).toBe('halted');
    const events = eventsOf(world, 'g1');
    expect(events).toContain('error: kvm run failed Bad address');
    expect(events.some((message) => message.startsWith('UV_PAGE_IN of gpa 0x1000000 failed'))).toBe(true);
    expect(guest.memory.pagedOut.count).toBe(0); // the secure VM is gone: pages back to normal
  });

  it('a page the hypervisor only read goes back in quietly: the guest keeps running', () => {
    const world = startWorld(
      worldYaml([{svm: true, policy: 'force-dma-api', workload: 'churn', devices: '[{type: blk}]'}]),
      2,
      {seconds: 15},
    );
    const guest = world.guest('g1')!;
    const qemu = new MemoryView(guest.memory, true);
    qemu.read(DIRTY_REGION_START, Buffer.alloc(64), 0, 64);
    expect(guest.memory.pagedOut.count).toBe(1);
    runChecked(world, 2);
    expect(guest.memory.pagedOut.count).toBe(0);
    expect(vm(world, 'g1').state).toBe('running');
    expect(guest.memory.pageInFailures).toBe(0);
  });
});

describe('the lifecycle when KVM_RUN fails (qemu accel/kvm/kvm-all.c kvm_cpu_exec)', () => {
  const message = 'error: kvm run failed Bad address';
  const running: Lifecycle = {
    ...initialLifecycle('g1', {svm: true, dmaPolicy: 'access-platform-gated'}),
    stage: {kind: 'running'},
    isSvm: true,
  };

  it('halts the guest with cause internal-error and QEMU’s line; a migration in flight fails first', () => {
    const {next, effects} = transition({...running, isMigrating: true}, {type: 'vcpu-failed', message});
    expect(next.stage).toEqual({kind: 'halted', cause: 'internal-error'});
    expect(next.isSvm).toBe(false);
    expect(effects.map((effect) => effect.kind)).toEqual(['fail-migration', 'log', 'halt']);
    expect(effects[1]).toMatchObject({kind: 'log', message, severity: 'error'});
  });

  it('a guest that is halted already cannot fail again (a programmer error)', () => {
    const halted: Lifecycle = {...running, stage: {kind: 'halted', cause: 'panic'}, isSvm: false};
    expect(() => transition(halted, {type: 'vcpu-failed', message})).toThrow(/vcpu-failed/);
  });
});
