import {describe, expect, it} from 'vitest';
import {PageState} from '../../src/core/guest-memory.js';
import {featureSet, VirtioFeature, VirtioStatus} from '../../src/core/virtio.js';
import {discardGivesRam, type BalloonBackend} from '../../src/host/virtio/balloon-backend.js';
import {acceptsFeaturesOk} from '../../src/host/virtio/features-ok.js';
import {worldYaml} from '../helpers/guest-yaml.js';
import {device, runChecked, startWorld, vm} from '../helpers/world.js';

const MiB = 2 ** 20;

function world(options: {svm: boolean; policy: string; devices: string; stack?: 'mainline' | '2018'}) {
  const yaml = worldYaml(
    [
      {
        svm: options.svm,
        policy: options.policy,
        declared: 'allowed',
        workload: 'idle',
        devices: options.devices,
      },
    ],
    '',
    options.stack ?? '2018',
  );
  return startWorld(yaml, 51, {seconds: 12});
}

describe('QEMU refuses FEATURES_OK when ACCESS_PLATFORM was offered and not accepted', () => {
  it('as hw/virtio/virtio.c virtio_validate_features says, once VERSION_1 is negotiated', () => {
    const offered = featureSet(VirtioFeature.version1, VirtioFeature.accessPlatform);
    expect(acceptsFeaturesOk(offered, offered)).toBe(true);
    expect(acceptsFeaturesOk(offered, featureSet(VirtioFeature.version1))).toBe(false);
    expect(acceptsFeaturesOk(offered, 0n)).toBe(true);
    expect(acceptsFeaturesOk(featureSet(VirtioFeature.version1), featureSet(VirtioFeature.version1))).toBe(
      true,
    );
  });

  it('so a balloon offered iommu_platform=on fails probe in any guest, normal included (virtballoon_validate clears it)', () => {
    const normal = world({
      svm: false,
      policy: 'access-platform-gated',
      devices: '[{type: balloon, iommu: on}]',
    });
    expect(device(normal, 'g1', 'balloon')).toMatchObject({
      status: 'refused',
      errorCode: 'features-refused',
      error: 'virtio: device refuses features: 3',
    });
    const backend = normal.guest('g1')!.backends[0]!;
    expect(backend.status & VirtioStatus.featuresOk).toBe(0);
    expect(backend.status & VirtioStatus.failed).toBe(VirtioStatus.failed);
    expect(vm(normal, 'g1').balloon).toMatchObject({available: false, reasonCode: 'features-refused'});
    expect(normal.balloon('g1', 8 * MiB)).toMatchObject({ok: false, code: 'balloon-refused'});
  });

  it('under restricted memory access the secure kernel refuses the balloon first (virtio_features_ok)', () => {
    const secure = world({svm: true, policy: 'restricted', devices: '[{type: balloon, iommu: on}]'});
    expect(device(secure, 'g1', 'balloon')).toMatchObject({errorCode: 'missing-access-platform'});
    expect(vm(secure, 'g1').balloon?.reasonCode).toBe('refused-at-probe');
  });
});

describe('what a discard gives back (qemu hw/virtio/virtio-balloon.c; book3s_hv_uvmem.c)', () => {
  it('PEF leaves RAM discard enabled, so QEMU discards; a secure page gives the host nothing, a normal or shared one its RAM', () => {
    expect(discardGivesRam(PageState.secure)).toBe(false);
    expect(discardGivesRam(PageState.normal)).toBe(true);
    expect(discardGivesRam(PageState.shared)).toBe(true);
    const secure = world({svm: true, policy: 'force-dma-api', devices: '[{type: balloon}]'});
    expect(secure.balloon('g1', 8 * MiB, true)).toMatchObject({ok: true});
    runChecked(secure, 2);
    const backend = secure.guest('g1')!.backends[0] as BalloonBackend;
    expect(vm(secure, 'g1').balloon).toMatchObject({
      actualBytes: 8 * MiB,
      reclaimedBytes: 0,
      reasonCode: 'deflate-only',
    });
    expect(backend.unreclaimedPages).toBe(2048);
    const normal = world({svm: false, policy: 'force-dma-api', devices: '[{type: balloon}]'});
    expect(normal.balloon('g1', 8 * MiB)).toMatchObject({ok: true});
    runChecked(normal, 2);
    expect(vm(normal, 'g1').balloon).toMatchObject({actualBytes: 8 * MiB, reclaimedBytes: 8 * MiB});
  });
});

describe('deflating a secure guest’s balloon', () => {
  it('needs no force: only inflating gives the host nothing; the balloon gives its pages back to the guest', () => {
    const secure = world({svm: true, policy: 'force-dma-api', devices: '[{type: balloon}]'});
    expect(secure.balloon('g1', 8 * MiB, true)).toMatchObject({ok: true});
    runChecked(secure, 2);
    expect(secure.balloon('g1', 16 * MiB)).toMatchObject({ok: false, code: 'memory-protected'});
    expect(secure.balloon('g1', 2 * MiB)).toMatchObject({ok: true, message: 'target 2.0MiB'});
    runChecked(secure, 2);
    const backend = secure.guest('g1')!.backends[0] as BalloonBackend;
    expect(vm(secure, 'g1').balloon).toMatchObject({actualBytes: 2 * MiB, reclaimedBytes: 0});
    expect(backend.unreclaimedPages).toBe(512);
  });
});

describe('what the snapshot says a secure guest’s balloon can do', () => {
  it('deflate only: available (a lower target needs no force), code deflate-only, the words say inflating reclaims nothing', () => {
    const secure = world({svm: true, policy: 'force-dma-api', devices: '[{type: balloon}]'});
    expect(secure.balloon('g1', 8 * MiB, true)).toMatchObject({ok: true});
    runChecked(secure, 2);
    const balloon = vm(secure, 'g1').balloon;
    expect(balloon).toMatchObject({available: true, reasonCode: 'deflate-only', actualBytes: 8 * MiB});
    expect(balloon?.reason).toMatch(/^deflate only \(inflating needs force\): its pages are secure/);
    // The command obeys what the snapshot says: deflating is accepted, inflating asks for force.
    expect(secure.balloon('g1', 16 * MiB)).toMatchObject({ok: false, code: 'memory-protected'});
    expect(secure.balloon('g1', 4 * MiB)).toMatchObject({ok: true});
  });

  it('empty, it says the same: available and deflate-only, what an unforced target can do, not what the balloon holds', () => {
    // QEMU answers query-balloon from the device being there (qemu/qemu softmmu/balloon.c
    // have_balloon), whatever its size; svmtop's `available` and `reasonCode` say which targets
    // work unforced (none larger, today's and smaller ones yes), so they do not flip as the
    // balloon fills and empties, and a script reads before trying that inflating needs force.
    const secure = world({svm: true, policy: 'force-dma-api', devices: '[{type: balloon}]'});
    const empty = {available: true, reasonCode: 'deflate-only', targetBytes: 0, actualBytes: 0};
    expect(vm(secure, 'g1').balloon).toMatchObject(empty);
    expect(secure.balloon('g1', 0)).toMatchObject({
      ok: true,
      message: 'already at its target 0B, nothing to change',
    });
    expect(secure.balloon('g1', 8 * MiB)).toMatchObject({ok: false, code: 'memory-protected'});
    expect(secure.balloon('g1', 8 * MiB, true)).toMatchObject({ok: true});
    runChecked(secure, 2);
    expect(vm(secure, 'g1').balloon).toMatchObject({available: true, reasonCode: 'deflate-only'});
    expect(secure.balloon('g1', 0)).toMatchObject({ok: true});
    runChecked(secure, 2);
    expect(vm(secure, 'g1').balloon).toMatchObject(empty);
  });

  it('a normal guest’s working balloon is available with no reason', () => {
    const normal = world({svm: false, policy: 'force-dma-api', devices: '[{type: balloon}]'});
    expect(vm(normal, 'g1').balloon).toMatchObject({available: true, reasonCode: null, reason: null});
  });
});
