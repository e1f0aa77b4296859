/** Simulated durations of the boot and secure-transition steps, in microseconds. */
export const BootTiming = {
  firmwareUs: 1_200_000,
  bootloaderUs: 600_000,
  kernelEarlyUs: 800_000,
  probeUs: 200_000,
  esmCallUs: 20_000,
  verifyBaseUs: 50_000,
  /** The ultravisor hashes the image at this rate while verifying. */
  verifyBytesPerSecond: 1024 * 1024 * 1024,
  /** Conversion progresses in steps of this length. */
  convertStepUs: 50_000,
  initDoneUs: 20_000,
  swiotlbUs: 30_000,
  reprobeUs: 200_000,
  /** A graceful shutdown waits this long at most for in-flight I/O. */
  drainLimitUs: 1_000_000,
  drainPollUs: 10_000,
  /** From system_powerdown's EPOW interrupt to the guest's orderly_poweroff starting its drain. */
  epowResponseUs: 100_000,
} as const;
