import type {DeviceType, DmaPolicy, HostStack, LaunchSecurity, WorkloadName} from './config/world-schema.js';
import type {EsmFailureCode} from './ultravisor.js';
import type {DeviceErrorCode} from './virtio/device-error.js';
import type {ProbeRefusalCode} from './virtio/driver-probe.js';

/** Snapshot field names are part of the automation contract (DESIGN §5, README). */
export interface HostSnapshot {
  readonly name: string;
  /** Which KVM and QEMU the host runs: mainline (opt-in required) or the 2018-era stack. */
  readonly stack: HostStack;
  readonly ultravisor: boolean;
  readonly secureMigration: boolean;
  readonly memory: {
    readonly totalBytes: number;
    readonly freeBytes: number;
    readonly secureTotalBytes: number;
    readonly secureUsedBytes: number;
    /**
     * The part of `secureUsedBytes` reserved for secure guests migrating here: until switch-over
     * the guest holds secure memory on both hosts.
     */
    readonly secureIncomingBytes: number;
  };
}

export type VmState = 'booting' | 'running' | 'paused' | 'migrating' | 'halted';
export type SecurityState = 'normal' | 'transitioning' | 'secure' | 'failed';
export type SecurityPhase =
  | 'firmware'
  | 'bootloader'
  | 'kernel'
  | 'esm'
  | 'verify'
  | 'convert'
  | 'init-done'
  | 'swiotlb'
  | 'reprobe'
  | 'probe'
  | 'running'
  | 'secure'
  | 'shutdown'
  | 'halted';

export interface DeviceSnapshot {
  readonly id: string;
  readonly type: DeviceType;
  readonly offersAccessPlatform: boolean;
  /** QEMU forced iommu_platform=on because the VM has confidential guest support. */
  readonly accessPlatformForced: boolean;
  /** How the bound driver reaches memory; null while no driver is bound (during a reboot). */
  readonly dma: 'direct' | 'dma-api' | 'refused' | null;
  readonly bounces: boolean;
  readonly status: 'ok' | 'needs-reset' | 'refused';
  readonly error: string | null;
  /** Which check `error` comes from: the probe check that refused the device, or the QEMU check that broke it. */
  readonly errorCode: ProbeRefusalCode | DeviceErrorCode | null;
  readonly featuresOffered: readonly string[];
  readonly featuresNegotiated: readonly string[];
  readonly completed: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly bytesToDevice: number;
  readonly bytesFromDevice: number;
  readonly faults: number;
  readonly integrityErrors: number;
}

export interface SwiotlbSnapshot {
  readonly nslabs: number;
  readonly nareas: number;
  readonly used: number;
  readonly hiwater: number;
  /** Most slots in use during the last simulated second (a sample sees only one instant). */
  readonly recentPeak: number;
  readonly mapFailures: number;
  readonly bouncedBytesToDevice: number;
  readonly bouncedBytesFromDevice: number;
  /** Slots in use per device id (`virtio1`); the kernel itself only counts pool-wide. */
  readonly usedByDevice: Readonly<Record<string, number>>;
  readonly recommendedNslabs: number;
}

/**
 * Why a balloon takes no target (beside the human `reason`): the guest kernel refused it at probe
 * (restricted memory access), QEMU refused FEATURES_OK (ACCESS_PLATFORM offered, not accepted), the
 * device needs reset, or no driver is bound; or, with the balloon available, why it is deflate only:
 * the guest's pages are secure, so inflating reclaims nothing and needs force.
 */
export type BalloonReasonCode =
  'refused-at-probe' | 'features-refused' | 'device-broken' | 'no-driver' | 'deflate-only';

export interface BalloonSnapshot {
  /**
   * False when the balloon cannot work now (refused, broken, or no driver bound yet: a target set
   * then waits for the driver), with the reason; true with `deflate-only` when a target no larger
   * than the last one works unforced and a larger one needs force.
   */
  readonly available: boolean;
  readonly reason: string | null;
  readonly reasonCode: BalloonReasonCode | null;
  readonly targetBytes: number;
  readonly actualBytes: number;
  readonly reclaimedBytes: number;
}

/**
 * The values of QEMU's MigrationStatus (qemu/qemu qapi/migration.json) that svmtop produces. QEMU
 * enters `device` only with pause-before-switchover, which svmtop does not model: stop-and-copy
 * stays `active`, as in migration_completion.
 */
export type MigrationStatus = 'setup' | 'active' | 'completed' | 'failed' | 'cancelling' | 'cancelled';

/**
 * svmtop's own phase beside QEMU's status: `key-exchange` (in `setup`) is the two ultravisors
 * agreeing on a key for a secure guest; `page-export` (in `active`) is pre-copy of a secure guest,
 * whose secure pages leave as UV_PAGE_OUT ciphertext; null while cancelling and once it is over.
 */
export type MigrationPhase = 'setup' | 'key-exchange' | 'pre-copy' | 'page-export' | 'stop-and-copy';

export type ConvergenceCode = 'measuring' | 'converging' | 'not-converging';
/** Why a migration does not converge: the guest dirties faster than the link, or rewrites its whole working set each pass. */
export type NonConvergenceCause = 'dirty-rate' | 'working-set';
export type WayOutCode = 'max-bandwidth' | 'downtime-limit' | 'auto-converge';

/** One of QEMU's ways out of a pre-copy that does not converge. */
export interface MigrationWayOut {
  readonly code: WayOutCode;
  /** False when it cannot help or be done now (`reason` says why). */
  readonly isAvailable: boolean;
  /** The value it would set: bytes per second, milliseconds, or true (auto-converge). */
  readonly proposed: number | boolean;
  readonly reason: string;
}

/** svmtop's reading of QEMU's own measurements: is the pre-copy getting anywhere, and if not, why. */
export interface ConvergenceSnapshot {
  readonly code: ConvergenceCode;
  readonly cause: NonConvergenceCause | null;
  readonly reason: string;
  readonly dirtyBytesPerSecond: number;
  readonly bandwidthBytesPerSecond: number;
  readonly waysOut: readonly MigrationWayOut[];
}

/** The parameters and capability in force (query-migrate-parameters, query-migrate-capabilities). */
export interface MigrationParametersSnapshot {
  /** A number, or a bigint above 2^53 - 1 (a QMP client's 2^64 - 1 is exact; headless writes its digits). */
  readonly maxBandwidthBytesPerSecond: number | bigint;
  readonly downtimeLimitMs: number;
  readonly autoConverge: boolean;
}

export interface MigrationSnapshot {
  readonly status: MigrationStatus;
  readonly to: string;
  readonly totalTimeMs: number;
  readonly setupTimeMs: number;
  /** QEMU's estimate: the downtime limit until it has measured a dirty rate (`isDirtyRateMeasured`). */
  readonly expectedDowntimeMs: number;
  readonly downtimeMs: number;
  readonly blockedReasons: readonly string[];
  readonly errorDesc: string | null;
  readonly throttlePercent: number;
  /** QEMU's counters; pages are 4 KiB target pages (`pageSize` 4096). */
  readonly ram: {
    readonly transferred: number;
    readonly remaining: number;
    readonly total: number;
    readonly duplicate: number;
    readonly normal: number;
    readonly normalBytes: number;
    readonly dirtyPagesRate: number;
    readonly mbps: number;
    readonly dirtySyncCount: number;
    readonly pageSize: number;
    readonly pagesPerSecond: number;
  };
  // ---- svmtop's own, beside query-migrate ----
  /** What the migration is doing now; null while cancelling and once it ended. */
  readonly phase: MigrationPhase | null;
  /** Target pages sent as UV_PAGE_OUT ciphertext (part of `ram.normal`; ciphertext is never a zero page). */
  readonly encryptedPages: number;
  /** `mbps` and `thresholdBytes` come from a measured window (every 100 ms once active). */
  readonly isBandwidthMeasured: boolean;
  /** `ram.dirtyPagesRate` and `expectedDowntimeMs` come from a measured period (after the first pass). */
  readonly isDirtyRateMeasured: boolean;
  /** Pending bytes below which it switches over: measured bandwidth × downtime limit. */
  readonly thresholdBytes: number;
  readonly parameters: MigrationParametersSnapshot;
  /** Null unless the migration is iterating (pre-copy). */
  readonly convergence: ConvergenceSnapshot | null;
}

export interface VmSnapshot {
  readonly name: string;
  readonly host: string;
  readonly state: VmState;
  readonly vcpus: number;
  readonly memoryBytes: number;
  /** The configured policy: what the next boot's kernel will use. */
  readonly dmaPolicy: DmaPolicy;
  /** The policy of the running kernel; null while no kernel runs (firmware, shutdown, halted). */
  readonly dmaPolicyInEffect: DmaPolicy | null;
  readonly workload: WorkloadName;
  readonly svm: boolean;
  readonly security: {
    readonly state: SecurityState;
    readonly phase: SecurityPhase;
    readonly progress: number;
    readonly declared: LaunchSecurity;
    /** QEMU runs the VM with confidential-guest-support (a pef-guest object): the opt-in KVM needs. */
    readonly confidentialGuestSupport: boolean;
    /** Why the last transition failed (the ultravisor's return code and reason). */
    readonly failure: string | null;
    /** The return code of the last failed transition (H_UNSUPPORTED, U_PERMISSION, U_RETRY). */
    readonly failureCode: EsmFailureCode | null;
    /** The host cannot read the guest's memory (entering secure mode, or secure). */
    readonly memoryProtected: boolean;
  };
  readonly io: {readonly bytesPerSecond: number; readonly requestsPerSecond: number};
  readonly devices: readonly DeviceSnapshot[];
  readonly swiotlb: SwiotlbSnapshot | null;
  readonly balloon: BalloonSnapshot | null;
  readonly migration: MigrationSnapshot | null;
  /** Recent swiotlb use, one sample per simulated second (dashboard only; absent in headless output). */
  readonly swiotlbHistory?: readonly number[];
}

export interface WorldSnapshot {
  readonly tUs: number;
  readonly hosts: readonly HostSnapshot[];
  readonly vms: readonly VmSnapshot[];
}
