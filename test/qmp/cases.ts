/**
 * Inputs and QEMU 7.2's answers, shared by the protocol tests (svmtop must answer so) and the
 * oracle test (the installed QEMU must still answer so, and svmtop the same).
 */

/** The malformed inputs of QEMU's tests/qtest/qmp-test.c test_malformed, and the desc of the GenericError. */
export const MALFORMED_INPUTS: ReadonlyArray<readonly [input: string | Buffer, desc: string]> = [
  ['{]\n', 'JSON parse error, expecting value'],
  [Buffer.from('{\xff', 'latin1'), "JSON parse error, stray '\uFFFD'"],
  [Buffer.from('{\x01', 'latin1'), "JSON parse error, stray '\x01'"],
  [Buffer.from("{'bad \xff", 'latin1'), "JSON parse error, stray ''bad \uFFFD'"],
  ["{'execute': 'nonexistent', 'id':'\n", "JSON parse error, stray ''\n'"],
  ['%p', "JSON parse error, stray '%'"],
  ['null\n', 'QMP input must be a JSON object'],
  ['{}\n', "QMP input lacks member 'execute'"],
  ["{ 'execute': true }\n", "QMP input member 'execute' must be a string"],
  ["{ 'execute': 'no-such-cmd', 'arguments': [] }\n", "QMP input member 'arguments' must be an object"],
  ["{ 'execute': 'no-such-cmd', 'extra': true }\n", "QMP input member 'extra' is unexpected"],
];

/** Commands both implement, with bad arguments, and the desc of QEMU's GenericError. */
export const ARGUMENT_ERRORS: ReadonlyArray<
  readonly [command: string, args: Record<string, unknown> | undefined, desc: string]
> = [
  ['balloon', undefined, "Parameter 'value' is missing"],
  ['balloon', {value: 'x'}, "Invalid parameter type for 'value', expected: integer"],
  ['balloon', {value: 1.5}, "Invalid parameter type for 'value', expected: integer"],
  ['balloon', {value: 1, z: 2}, "Parameter 'z' is unexpected"],
  ['balloon', {value: -1}, "Parameter 'target' expects a size"],
  ['query-status', {a: 1}, "Parameter 'a' is unexpected"],
  ['migrate', {}, "Parameter 'uri' is missing"],
  ['migrate', {uri: 'bogus:x'}, "Parameter 'uri' expects a valid migration protocol"],
  ['migrate', {uri: 'tcp:beta:4444', foo: 1}, "Parameter 'foo' is unexpected"],
  ['migrate-set-capabilities', {}, "Parameter 'capabilities' is missing"],
  [
    'migrate-set-capabilities',
    {capabilities: {}},
    "Invalid parameter type for 'capabilities', expected: array",
  ],
  [
    'migrate-set-capabilities',
    {capabilities: [{capability: 'events'}]},
    "Parameter 'capabilities[0].state' is missing",
  ],
  [
    'migrate-set-capabilities',
    {capabilities: [{capability: 'nosuch', state: true}]},
    "Parameter 'capability' does not accept value 'nosuch'",
  ],
  [
    'migrate-set-capabilities',
    {capabilities: [{capability: 'events', state: 1}]},
    "Invalid parameter type for 'capabilities[0].state', expected: boolean",
  ],
  ['migrate-set-parameters', {'max-bandwidth': 'x'}, "Parameter 'max-bandwidth' expects uint64"],
  [
    'migrate-set-parameters',
    {'cpu-throttle-initial': 300},
    "Parameter 'cpu-throttle-initial' expects uint8_t",
  ],
  [
    'migrate-set-parameters',
    {'cpu-throttle-initial': 'x'},
    "Parameter 'cpu-throttle-initial' expects uint64",
  ],
  [
    'migrate-set-parameters',
    {'cpu-throttle-initial': 0},
    "Parameter 'cpu_throttle_initial' expects an integer in the range of 1 to 99",
  ],
  [
    'migrate-set-parameters',
    {'cpu-throttle-increment': 100},
    "Parameter 'cpu_throttle_increment' expects an integer in the range of 1 to 99",
  ],
  [
    'migrate-set-parameters',
    {'downtime-limit': 2000001},
    "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
  ],
  ['migrate-set-parameters', {'downtime-limit': 1.5}, "Parameter 'downtime-limit' expects uint64"],
  // -1 is 2^64 - 1 as a uint64 (qobject_input_type_uint64), past the 2000 s bound.
  [
    'migrate-set-parameters',
    {'downtime-limit': -1},
    "Parameter 'downtime_limit' expects an integer in the range of 0 to (2000 * 1000) ms",
  ],
  [
    'migrate-set-parameters',
    {'max-cpu-throttle': 100},
    "Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99",
  ],
  ['migrate-set-parameters', {nosuch: 1}, "Parameter 'nosuch' is unexpected"],
  ['x-query-virtio-status', undefined, "Parameter 'path' is missing"],
  ['x-query-virtio-status', {path: 3}, "Invalid parameter type for 'path', expected: string"],
  ['x-query-virtio-status', {path: '/nope'}, 'Path /nope is not a VirtIODevice'],
  [
    'x-query-virtio-status',
    {path: '/machine/peripheral-anon/device[4]'},
    'Path /machine/peripheral-anon/device[4] is not a VirtIODevice',
  ],
  ['qmp_capabilities', {enable: 'oob'}, "Invalid parameter type for 'enable', expected: array"],
];
