import {genericError, ok} from './qmp-command.js';
import type {MonitorCommand} from './monitor-context.js';

/** The QEMU version whose QMP svmtop follows (its error texts and reply shapes are 7.2's). */
export const QEMU_VERSION = {major: 7, minor: 2, micro: 0} as const;
export const SVMTOP_PACKAGE = 'svmtop 0.1.0';

/** VersionInfo (qapi/control.json), members in QAPI order so QEMU's QDict order follows. */
export function versionInfo() {
  return {
    qemu: {major: QEMU_VERSION.major, minor: QEMU_VERSION.minor, micro: QEMU_VERSION.micro},
    package: SVMTOP_PACKAGE,
  };
}

/** The greeting (docs/interop/qmp-spec.rst "Server Greeting"); svmtop offers no capability (no oob). */
export function greeting() {
  return {QMP: {version: versionInfo(), capabilities: []}};
}

export const CONTROL_COMMANDS: readonly MonitorCommand[] = [
  {
    // monitor/qmp-cmds-control.c qmp_qmp_capabilities / qmp_caps_accept; the session handles
    // "already complete". svmtop offers no capability, so enabling `oob` is refused.
    name: 'qmp_capabilities',
    args: [{name: 'enable', type: {list: {enum: ['oob']}}, isOptional: true}],
    run: (_context, args) =>
      (args.enable as string[] | undefined)?.length ? genericError('Capability oob not available') : ok(),
  },
  {name: 'query-version', run: () => ok(versionInfo())},
  {name: 'query-commands', run: (context) => ok(context.commandNames.map((name) => ({name})))},
  {name: 'query-name', run: (context) => ok({name: context.vm})},
  // qemu/qemu monitor/qmp-cmds.c qmp_query_kvm: KvmInfo {enabled, present}. Every simulated host
  // runs its guests under KVM (HV, with an ultravisor where secure), so both are true; the oracle's
  // TCG QEMU here answers false, false.
  {name: 'query-kvm', run: () => ok({enabled: true, present: true})},
];
