import {z} from 'zod';
import {IO_TLB_DEFAULT_NSLABS, IO_TLB_SEGSIZE} from '../../core/swiotlb.js';
import {GiB, MiB} from '../../core/units.js';
import {checkImageSize} from './image-size.js';
import {nameSchema, onOffSchema, oneOf, parseNested, sizeSchema} from './schema-primitives.js';

/**
 * The three guest kernels' ways of driving virtio memory (DESIGN §2.4), by what they do:
 * - `access-platform-gated`: every pseries kernel, mainline included: the DMA API only when
 *   ACCESS_PLATFORM was negotiated (torvalds/linux drivers/virtio/virtio_ring.c vring_use_dma_api);
 * - `force-dma-api`: the 2018 RFC "Virtio uses DMA API for all devices", not merged in that form;
 * - `restricted`: restricted memory access, which s390 PV, SEV, TDX, Xen and arm64 realm kernels
 *   register (virtio_set_mem_acc_cb) and no pseries kernel does (a what-if on a pseries guest).
 */
export const DMA_POLICIES = ['access-platform-gated', 'force-dma-api', 'restricted'] as const;
export type DmaPolicy = (typeof DMA_POLICIES)[number];
/**
 * Older spellings still read, so existing world and scenario files keep loading: `legacy` named
 * the gated policy after old kernels, but mainline pseries behaves the same way.
 */
export const DMA_POLICY_ALIASES: Readonly<Record<string, DmaPolicy>> = {legacy: 'access-platform-gated'};

const DMA_POLICY_RULE = `expected one of ${DMA_POLICIES.join(', ')} (legacy is read as access-platform-gated)`;

/** A DMA policy as written in a world or scenario file (aliases become the policy they name). */
export const dmaPolicySchema = z.string({error: DMA_POLICY_RULE}).transform((value, context): DmaPolicy => {
  const policy = (DMA_POLICIES as readonly string[]).includes(value)
    ? (value as DmaPolicy)
    : DMA_POLICY_ALIASES[value];
  if (policy) return policy;
  context.addIssue({code: 'custom', message: DMA_POLICY_RULE});
  return z.NEVER;
});

/**
 * Which KVM and QEMU a host runs (DESIGN §2.6): `mainline` needs management to opt in (QEMU's
 * confidential-guest-support with a pef-guest object, KVM's svm_enabled) and then forces
 * iommu_platform=on; `2018` is the stack the seed thread was written against, with neither.
 */
export const HOST_STACKS = ['mainline', '2018'] as const;
export type HostStack = (typeof HOST_STACKS)[number];

/** `2018` may be written as a YAML number. */
const HOST_STACK_RULE = `expected one of ${HOST_STACKS.join(', ')}`;
const hostStackSchema = z
  .union([z.string(), z.number()], {error: HOST_STACK_RULE})
  .transform((value, context): HostStack => {
    const text = String(value);
    if ((HOST_STACKS as readonly string[]).includes(text)) return text as HostStack;
    context.addIssue({code: 'custom', message: HOST_STACK_RULE});
    return z.NEVER;
  });
export const LAUNCH_SECURITY = ['required', 'allowed', 'none'] as const;
export type LaunchSecurity = (typeof LAUNCH_SECURITY)[number];
export const WORKLOADS = ['idle', 'web', 'db', 'stream', 'churn'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
export const DEVICE_TYPES = ['net', 'blk', 'console', 'rng', 'balloon'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

const ultravisorSchema = z.strictObject({
  /** Memory the ultravisor can hand to secure guests. */
  secureMemory: sizeSchema,
  /** Names (from `keys`) of the owner keys whose tickets this ultravisor accepts. */
  trustedKeys: z.array(nameSchema).default([]),
  /** How fast UV_ESM copies a guest into secure memory, bytes per second. */
  conversionRate: sizeSchema.default(2 * GiB),
  /** How fast the ultravisor encrypts secure pages for migration (UV_PAGE_OUT), bytes per second. */
  exportRate: sizeSchema.default(512 * MiB),
});

const hostSchema = z.strictObject({
  name: nameSchema,
  memory: sizeSchema,
  /** Absent or null: no ultravisor, so guests on this host cannot become secure. */
  ultravisor: ultravisorSchema.nullable().default(null),
  /** Whether this host's hypervisor can migrate a secure guest (today's QEMU cannot). */
  secureMigration: z.boolean().default(false),
  /** The KVM and QEMU it runs: mainline (opt-in required) or the 2018-era stack. */
  stack: hostStackSchema.default('mainline'),
});

const linkSchema = z.strictObject({
  hosts: z.tuple([nameSchema, nameSchema]),
  bandwidth: sizeSchema,
});

const linksSchema = z
  .strictObject({
    /** Bytes per second between hosts that have no explicit link. */
    defaultBandwidth: sizeSchema.default(GiB),
    pairs: z.array(linkSchema).default([]),
  })
  .default({defaultBandwidth: GiB, pairs: []});

const deviceSchema = z.strictObject({
  type: oneOf(DEVICE_TYPES),
  /** libvirt's `<driver iommu='on'/>`: the device offers VIRTIO_F_ACCESS_PLATFORM. */
  iommu: onOffSchema.default(false),
  queueSize: z
    .number()
    .int()
    .refine(
      (size) => size >= 2 && size <= 1024 && (size & (size - 1)) === 0,
      'expected a power of two from 2 to 1024',
    )
    .default(256),
  /** virtio-blk only: the disk's capacity. */
  disk: sizeSchema.optional(),
});

const swiotlbObjectSchema = z.strictObject({
  slabs: z
    .number()
    .int()
    .min(IO_TLB_SEGSIZE, `expected at least ${IO_TLB_SEGSIZE} slabs (one segment)`)
    .max(1 << 20, 'expected at most 1048576 slabs (2.0GiB)')
    .default(IO_TLB_DEFAULT_NSLABS),
  /** null: none given, one area per possible CPU; 0: one area (kernel/dma/swiotlb.c swiotlb_adjust_nareas). */
  areas: z.number().int().min(0).max(1024).nullable().default(null),
  force: z.boolean().default(false),
});

/** `swiotlb=<nslabs>[,<nareas>][,force]`, as the kernel argument string or an object. */
const swiotlbSchema = z
  .custom<unknown>()
  .transform((value, context) => {
    let candidate = value;
    if (typeof value === 'string' || typeof value === 'number') {
      const match = /^\s*(\d+)\s*(?:,\s*(\d+))?\s*(?:,\s*(force|noforce))?\s*$/.exec(String(value));
      if (!match) {
        context.addIssue({
          code: 'custom',
          message: 'expected swiotlb=<nslabs>[,<nareas>][,force] like "8192,4,force"',
        });
        return z.NEVER;
      }
      candidate = {
        slabs: Number(match[1]),
        areas: match[2] === undefined ? null : Number(match[2]),
        force: match[3] === 'force',
      };
    }
    return parseNested(swiotlbObjectSchema, candidate, context);
  })
  .default({slabs: IO_TLB_DEFAULT_NSLABS, areas: null, force: false});

/** A workload profile with optional overrides. */
export interface WorkloadSpec {
  readonly profile: WorkloadName;
  readonly dirtyRate?: number;
  readonly workingSet?: number;
}

const workloadSchema = z.union([
  oneOf(WORKLOADS).transform((profile): WorkloadSpec => ({profile})),
  z.strictObject({
    profile: oneOf(WORKLOADS),
    /** Overrides the profile's page-dirtying rate, bytes per second. */
    dirtyRate: sizeSchema.optional(),
    /** Overrides the memory the profile dirties over. */
    workingSet: sizeSchema.optional(),
  }),
]) as z.ZodType<WorkloadSpec, unknown>;

const imageSchema = z
  .strictObject({
    kernel: z.string().min(1).default('vmlinux'),
    initrd: z.string().default(''),
    size: sizeSchema
      .superRefine((bytes, context) => {
        const problem = checkImageSize(bytes);
        if (problem !== undefined) context.addIssue({code: 'custom', message: problem});
      })
      .default(256 * 1024),
  })
  .default({kernel: 'vmlinux', initrd: '', size: 256 * 1024});

const ticketSchema = z.strictObject({
  /** Name of the owner key (in `keys`) that signed the image. */
  key: nameSchema,
  /** Base64 Ed25519 signature over the SHA-256 of the guest image. */
  signature: z.string().regex(/^[A-Za-z0-9+/]+=*$/, 'expected a base64 signature (see `svmtop ticket`)'),
});

const guestSchema = z.strictObject({
  name: nameSchema,
  host: nameSchema,
  vcpus: z.number().int().min(1).max(256).default(2),
  memory: sizeSchema,
  /** Guest memory in use (non-zero) at boot; defaults to a quarter of memory. */
  resident: sizeSchema.optional(),
  /** Kernel command line `svm=on`: the guest enters secure mode by itself early in every boot. */
  svm: onOffSchema.default(false),
  /**
   * Whether management starts the VM with confidential guest support (QEMU's
   * `confidential-guest-support` pointing at a `pef-guest` object): `required` always, `allowed`
   * where the host can (it has an ultravisor), `none` never. A 2018-era host has no such thing:
   * there it is only what management was told.
   */
  launchSecurity: oneOf(LAUNCH_SECURITY).default('none'),
  dmaPolicy: dmaPolicySchema.default('access-platform-gated'),
  workload: workloadSchema.default({profile: 'idle'}),
  swiotlb: swiotlbSchema,
  image: imageSchema,
  ticket: ticketSchema.nullable().default(null),
  devices: z.array(deviceSchema).default([]),
});

export const worldSchema = z.strictObject({
  hosts: z.array(hostSchema).min(1, 'expected at least one host'),
  links: linksSchema,
  /** Owner public keys by name: base64 of the raw 32-byte Ed25519 key. */
  keys: z
    .record(
      nameSchema,
      z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected a base64 raw Ed25519 public key (44 characters)'),
    )
    .default({}),
  guests: z.array(guestSchema).default([]),
});

export type WorldConfig = z.output<typeof worldSchema>;
export type HostConfig = WorldConfig['hosts'][number];
export type UltravisorConfig = NonNullable<HostConfig['ultravisor']>;
export type GuestConfig = WorldConfig['guests'][number];
export type DeviceConfig = GuestConfig['devices'][number];
export type WorkloadConfig = WorkloadSpec;
export type ImageConfig = GuestConfig['image'];
