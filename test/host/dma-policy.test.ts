import {describe, expect, it} from 'vitest';
import {featureSet, VirtioFeature} from '../../src/core/virtio.js';
import {dmaPolicySchema} from '../../src/host/config/world-schema.js';
import {ACCESS_PLATFORM_REFUSAL, decideDma, DMA_POLICY_LABELS} from '../../src/host/dma-policy.js';

const withPlatform = featureSet(VirtioFeature.version1, VirtioFeature.accessPlatform);
const withoutPlatform = featureSet(VirtioFeature.version1);
const base = {isSwiotlbForced: false};

describe('the guest kernel’s DMA decision (DESIGN §2.4)', () => {
  it.each([
    ['access-platform-gated', false, withoutPlatform, 'direct', false],
    ['access-platform-gated', false, withPlatform, 'dma-api', false],
    ['access-platform-gated', true, withoutPlatform, 'direct', false],
    ['access-platform-gated', true, withPlatform, 'dma-api', true],
    ['force-dma-api', true, withoutPlatform, 'dma-api', true],
    ['force-dma-api', false, withoutPlatform, 'direct', false],
    ['restricted', true, withPlatform, 'dma-api', true],
    ['restricted', true, withoutPlatform, 'refused', false],
    ['restricted', false, withoutPlatform, 'direct', false],
  ] as const)('%s, secure=%s → %s', (policy, isSecure, negotiated, mode, bounces) => {
    const decision = decideDma({...base, policy, isSecure, negotiated});
    expect(decision.mode).toBe(mode);
    expect(decision.bounces).toBe(bounces);
    if (mode === 'refused')
      expect(decision.refusal).toEqual({code: 'missing-access-platform', message: ACCESS_PLATFORM_REFUSAL});
  });

  it('bounces DMA-API devices of a normal guest only with swiotlb=force', () => {
    expect(
      decideDma({
        ...base,
        policy: 'access-platform-gated',
        isSecure: false,
        negotiated: withPlatform,
        isSwiotlbForced: true,
      }),
    ).toEqual({mode: 'dma-api', bounces: true});
    expect(
      decideDma({
        ...base,
        policy: 'access-platform-gated',
        isSecure: false,
        negotiated: withoutPlatform,
        isSwiotlbForced: true,
      }),
    ).toEqual({mode: 'direct', bounces: false});
  });

  it('refuses a restricted secure device without VERSION_1 first, in the kernel’s words (virtio_features_ok)', () => {
    for (const negotiated of [featureSet(VirtioFeature.accessPlatform), 0n])
      expect(decideDma({...base, policy: 'restricted', isSecure: true, negotiated})).toEqual({
        mode: 'refused',
        bounces: false,
        refusal: {code: 'missing-version-1', message: 'device must provide VIRTIO_F_VERSION_1'},
      });
  });

  it('a pseries kernel, mainline too, refuses nothing: it never sets a mem_acc callback, so virtio_features_ok checks nothing and vring_use_dma_api picks raw addresses without ACCESS_PLATFORM', () => {
    for (const negotiated of [0n, featureSet(VirtioFeature.version1)])
      expect(decideDma({...base, policy: 'access-platform-gated', isSecure: true, negotiated})).toEqual({
        mode: 'direct',
        bounces: false,
      });
  });

  it('reads the old spelling legacy as access-platform-gated, and names the three policies by what they are', () => {
    expect(dmaPolicySchema.parse('legacy')).toBe('access-platform-gated');
    expect(dmaPolicySchema.safeParse('mainline').success).toBe(false);
    expect(DMA_POLICY_LABELS.restricted.full).toMatch(/not pseries/);
    expect(DMA_POLICY_LABELS['force-dma-api'].full).toMatch(/2018 RFC, not merged/);
    expect(DMA_POLICY_LABELS['access-platform-gated'].full).toMatch(/every pseries kernel, mainline too/);
  });
});
