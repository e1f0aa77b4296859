import {hasFeature, VirtioFeature, type FeatureSet} from '../core/virtio.js';
import type {DmaPolicy} from './config/world-schema.js';

export type DmaMode = 'direct' | 'dma-api' | 'refused';

/** Which of `virtio_features_ok`'s restricted-memory-access checks refused a device. */
export type DmaRefusalCode = 'missing-version-1' | 'missing-access-platform';

/** The kernel's words for each refusal (drivers/virtio/virtio.c `virtio_features_ok`, dev_warn). */
export const DMA_REFUSAL_MESSAGES: Readonly<Record<DmaRefusalCode, string>> = {
  'missing-version-1': 'device must provide VIRTIO_F_VERSION_1',
  'missing-access-platform': 'device must provide VIRTIO_F_ACCESS_PLATFORM',
};

export const ACCESS_PLATFORM_REFUSAL = DMA_REFUSAL_MESSAGES['missing-access-platform'];

export interface DmaRefusal {
  readonly code: DmaRefusalCode;
  readonly message: string;
}

export interface DmaDecision {
  readonly mode: DmaMode;
  /** Buffers go through swiotlb bounce buffers. */
  readonly bounces: boolean;
  /** Why a device was refused at probe: which check, in the kernel's words. */
  readonly refusal?: DmaRefusal;
}

export interface DmaDecisionInput {
  readonly policy: DmaPolicy;
  readonly isSecure: boolean;
  /** Features left after the driver's validate step (the balloon clears ACCESS_PLATFORM). */
  readonly negotiated: FeatureSet;
  /** `swiotlb=force` on the kernel command line. */
  readonly isSwiotlbForced: boolean;
}

/** What each policy is, in a word for the screen's DMA column and in full for people. */
export const DMA_POLICY_LABELS: Readonly<Record<DmaPolicy, {readonly short: string; readonly full: string}>> =
  {
    'access-platform-gated': {
      short: 'gated',
      full: 'ACCESS_PLATFORM-gated (every pseries kernel, mainline too)',
    },
    'force-dma-api': {short: 'rfc', full: 'forced DMA API (the 2018 RFC, not merged in that form)'},
    restricted: {
      short: 'not-ppc',
      full: 'restricted memory access (s390 PV, SEV, TDX, arm64 realms; not pseries)',
    },
  };

/**
 * How a guest kernel drives a device's memory, decided at probe (DESIGN §2.4):
 * - access-platform-gated, what every pseries kernel does, mainline included: the DMA API only
 *   when ACCESS_PLATFORM was negotiated, else raw guest-physical addresses (torvalds/linux
 *   drivers/virtio/virtio_ring.c vring_use_dma_api; pseries never registers a mem_acc callback,
 *   so virtio_features_ok refuses nothing);
 * - force-dma-api (the 2018 RFC): in a secure guest, always the DMA API;
 * - restricted (drivers/virtio/virtio.c virtio_features_ok when virtio_check_mem_acc_cb says so,
 *   as s390 PV, SEV, TDX, Xen and arm64 realm kernels set it with virtio_set_mem_acc_cb): in a
 *   secure guest a device without VERSION_1, then one without ACCESS_PLATFORM, is refused, each
 *   with the kernel's own message. No pseries kernel does this: on our guests it is a what-if.
 * In a secure guest the DMA API bounces everything through swiotlb (pseries sets SWIOTLB_FORCE);
 * in a normal guest only `swiotlb=force` makes DMA-API devices bounce.
 */
export function decideDma(input: DmaDecisionInput): DmaDecision {
  const hasAccessPlatform = hasFeature(input.negotiated, VirtioFeature.accessPlatform);
  if (!input.isSecure) {
    if (!hasAccessPlatform) return {mode: 'direct', bounces: false};
    return {mode: 'dma-api', bounces: input.isSwiotlbForced};
  }
  switch (input.policy) {
    case 'access-platform-gated':
      return hasAccessPlatform ? {mode: 'dma-api', bounces: true} : {mode: 'direct', bounces: false};
    case 'force-dma-api':
      return {mode: 'dma-api', bounces: true};
    case 'restricted':
      if (!hasFeature(input.negotiated, VirtioFeature.version1)) return refused('missing-version-1');
      if (!hasAccessPlatform) return refused('missing-access-platform');
      return {mode: 'dma-api', bounces: true};
  }
}

function refused(code: DmaRefusalCode): DmaDecision {
  return {mode: 'refused', bounces: false, refusal: {code, message: DMA_REFUSAL_MESSAGES[code]}};
}
