/**
 * Test options for a CPU-bound test (a property, or a long simulated run). Its runs take seconds on
 * an idle core and several times that on a loaded one: on the shared 2-core machine at load 15,
 * ink's rerender equivalence timed out at 30.1 s, the random command sequences took about 60 s, and
 * the migration scenarios (14-15 s on an idle Node 24) timed out at 30 s. The timeout bounds a hang,
 * not the work, so it is wide; what each property checks is unchanged.
 */
export const CPU_BOUND = {timeout: 180_000} as const;
