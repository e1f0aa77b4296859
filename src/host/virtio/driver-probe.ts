import {
  DRIVER_TRANSPORT_FEATURES,
  VirtioFeature,
  VirtioStatus,
  withoutFeature,
  type FeatureSet,
} from '../../core/virtio.js';
import {PCI_SEG_BOUNDARY_MASK, segBoundarySlots} from '../../core/swiotlb.js';
import {createDmaOps, type DmaOps} from '../dma-ops.js';
import {decideDma, type DmaDecision, type DmaRefusalCode} from '../dma-policy.js';
import type {KernelServices} from './kernel-services.js';
import type {VirtioPciTransport} from './transport.js';

/** Why a driver did not bind: the DMA policy's refusal, the device refusing features, or no heap for rings. */
export type ProbeRefusalCode = DmaRefusalCode | 'features-refused' | 'heap-exhausted';

export type Negotiation =
  | {readonly features: FeatureSet; readonly decision: DmaDecision; readonly refusal?: undefined}
  | {readonly refusal: {readonly code: ProbeRefusalCode; readonly message: string}};

/**
 * The first half of `virtio_dev_probe`: reset, ACKNOWLEDGE|DRIVER, the features both sides know
 * less what the driver's `validate` drops, the DMA decision (§2.4), then FEATURES_OK read back
 * (the device may refuse it: `acceptsFeaturesOk`). Firmware drives devices with raw addresses
 * whatever they offer, accepting ACCESS_PLATFORM only if it knows it
 * (`firmwareNegotiatesAccessPlatform`).
 */
export function negotiate(
  kernel: KernelServices,
  transport: VirtioPciTransport,
  supportedFeatures: FeatureSet,
  validate: (features: FeatureSet) => FeatureSet,
): Negotiation {
  transport.writeDeviceStatus(0);
  transport.writeDeviceStatus(VirtioStatus.acknowledge | VirtioStatus.driver);
  let features = validate(transport.deviceFeatures & (supportedFeatures | DRIVER_TRANSPORT_FEATURES));
  const decision: DmaDecision = kernel.isFirmware
    ? {mode: 'direct', bounces: false}
    : decideDma({
        policy: kernel.policy,
        isSecure: kernel.isSecure,
        negotiated: features,
        isSwiotlbForced: kernel.isSwiotlbForced,
      });
  if (decision.refusal) return {refusal: decision.refusal};
  if (kernel.isFirmware && !kernel.isFirmwareIommuAware)
    features = withoutFeature(features, VirtioFeature.accessPlatform);
  if (!transport.negotiate(features))
    return {
      refusal: {
        code: 'features-refused',
        // drivers/virtio/virtio.c virtio_features_ok's dev_err; SLOF returns -1 silently (our words)
        message: kernel.isFirmware
          ? 'SLOF: the device refuses FEATURES_OK: this SLOF does not accept VIRTIO_F_IOMMU_PLATFORM'
          : `virtio: device refuses features: ${transport.deviceStatus.toString(16)}`,
      },
    };
  return {features, decision};
}

/**
 * The kernel's line for a device it did not bind: a policy's refusal is a warning, a device that
 * refused features or rings that did not fit is an error.
 */
export function reportRefusal(
  kernel: KernelServices,
  label: string,
  code: ProbeRefusalCode,
  message: string,
): void {
  const isPolicy = code !== 'heap-exhausted' && code !== 'features-refused';
  kernel.context.emit(
    kernel.vm,
    isPolicy ? 'probe-refused' : 'probe-failed',
    isPolicy ? 'warning' : 'error',
    `${label}: ${message}`,
  );
}

/**
 * The DMA operations the decision gives the device: identity or swiotlb bounces; in a secure
 * guest on the DMA API, coherent memory (rings) is shared with the hypervisor.
 */
export function dmaOpsFor(kernel: KernelServices, decision: DmaDecision, deviceIndex: number): DmaOps {
  return createDmaOps({
    heap: kernel.heap,
    pool: decision.bounces ? (kernel.swiotlb ?? undefined) : undefined,
    // PCI functions get dma_set_seg_boundary(dev, 0xffffffff): torvalds/linux drivers/pci/probe.c pci_device_add
    device: {index: deviceIndex, minAlignMask: 0, segBoundarySlots: segBoundarySlots(PCI_SEG_BOUNDARY_MASK)},
    sharing: decision.mode === 'dma-api' ? kernel.sharing : undefined,
    currentCpu: () => kernel.currentCpu(),
  });
}
