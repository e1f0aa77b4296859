import {hasFeature, VirtioFeature, type FeatureSet} from '../core/virtio.js';
import type {DeviceType, DmaPolicy} from './config/world-schema.js';

export type DmaMode = 'direct' | 'dma-api' | 'refused';

export interface DmaDecision {
  readonly mode: DmaMode;
  /** Buffers go through swiotlb bounce buffers. */
  readonly bounces: boolean;
  /** Why a device was refused at probe, in the kernel's words. */
  readonly refusal?: string;
}

export const ACCESS_PLATFORM_REFUSAL = 'device must provide VIRTIO_F_ACCESS_PLATFORM';

export interface DmaDecisionInput {
  readonly policy: DmaPolicy;
  readonly isSecure: boolean;
  readonly deviceType: DeviceType;
  /** Features left after the driver's validate step (the balloon clears ACCESS_PLATFORM). */
  readonly negotiated: FeatureSet;
  /** `swiotlb=force` on the kernel command line. */
  readonly isSwiotlbForced: boolean;
}

/**
 * How a guest kernel drives a device's memory, decided at probe (DESIGN §2.4):
 * - legacy (Linux ≤ 4.x): the DMA API only when ACCESS_PLATFORM was negotiated (`vring_use_dma_api`);
 * - force-dma-api (the 2018 RFC): in a secure guest, always the DMA API;
 * - restricted (mainline, `virtio_features_ok`): in a secure guest a device without VERSION_1 and
 *   ACCESS_PLATFORM is refused.
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
    case 'legacy':
      return hasAccessPlatform ? {mode: 'dma-api', bounces: true} : {mode: 'direct', bounces: false};
    case 'force-dma-api':
      return {mode: 'dma-api', bounces: true};
    case 'restricted':
      if (!hasAccessPlatform || !hasFeature(input.negotiated, VirtioFeature.version1)) {
        return {mode: 'refused', bounces: false, refusal: ACCESS_PLATFORM_REFUSAL};
      }
      return {mode: 'dma-api', bounces: true};
  }
}
