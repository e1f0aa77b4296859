import type {DmaDirection} from '../../core/swiotlb.js';

/** One part of a request: a guest buffer and the way data flows. */
export interface RequestPart {
  readonly cpuGpa: number;
  readonly len: number;
  readonly direction: DmaDirection;
}

/** 'queued'; 'retry' when the bounce pool, ring or buffer memory is full (nothing was kept); 'failed' otherwise. */
export type SubmitResult = 'queued' | 'retry' | 'failed';

/** A request in flight: its parts, their device addresses once mapped, and what to do when it ends. */
export abstract class DriverRequest {
  /** Device addresses of the parts mapped so far: the first `mappedCount` (the array is reused). */
  readonly dmaAddrs: number[] = [];
  mappedCount = 0;
  constructor(
    readonly parts: readonly RequestPart[],
    /** false for buffers posted in advance (rx), which are not requests of the workload */
    readonly isCounted: boolean,
  ) {}

  /** The device returned the request with `usedLength` bytes written; buffers are unmapped. */
  abstract done(usedLength: number): void;

  /** The request was aborted (device reset or broken); buffers are unmapped. */
  abstract fail(): void;
}

/** A request whose ends are two callbacks (the simple drivers). */
export class CallbackRequest extends DriverRequest {
  constructor(
    parts: readonly RequestPart[],
    isCounted: boolean,
    readonly onDone: (usedLength: number) => void,
    readonly onFail: () => void,
  ) {
    super(parts, isCounted);
  }

  done(usedLength: number): void {
    this.onDone(usedLength);
  }

  fail(): void {
    this.onFail();
  }
}
