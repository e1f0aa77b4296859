import type {MonitorCommand, MonitorContext} from './monitor-context.js';
import {fromResult, genericError, ok, type CommandOutcome} from './qmp-command.js';

/** QEMU's answer when no balloon device exists (softmmu/balloon.c have_balloon). */
const NO_BALLOON: CommandOutcome = {
  error: {class: 'DeviceNotActive', desc: 'No balloon device has been activated'},
};

/**
 * balloon {value}: `value` is the guest's target RAM (softmmu/balloon.c qmp_balloon), svmtop's
 * balloon size is what it takes away. Values above RAM mean an empty balloon, as QEMU clamps.
 */
function setBalloon(context: MonitorContext, valueBytes: number, isForced: boolean): CommandOutcome {
  // The device first, then the value (softmmu/balloon.c qmp_balloon; QEMU 7.2 checked).
  const current = context.port.facts(context.vm);
  if (!current || current.balloonActualBytes === null) return NO_BALLOON;
  if (valueBytes <= 0) return genericError("Parameter 'target' expects a size");
  const balloonBytes = Math.max(0, current.memoryBytes - valueBytes);
  return fromResult(
    context.port.command(context.vm, context.origin, {kind: 'balloon', balloonBytes, isForced}),
  );
}

export const BALLOON_COMMANDS: readonly MonitorCommand[] = [
  {
    name: 'balloon',
    args: [{name: 'value', type: 'int'}],
    run: (context, args) => setBalloon(context, args.value as number, false),
  },
  {
    // BalloonInfo.actual: RAM minus what the balloon holds.
    name: 'query-balloon',
    run: (context) => {
      const current = context.port.facts(context.vm);
      if (!current || current.balloonActualBytes === null) return NO_BALLOON;
      return ok({actual: current.memoryBytes - current.balloonActualBytes});
    },
  },
  {
    // svmtop's own: inflate a secure guest's balloon anyway (the host reclaims nothing), as the
    // dashboard's b does after asking.
    name: 'x-svmtop-balloon',
    args: [
      {name: 'value', type: 'int'},
      {name: 'force', type: 'bool', isOptional: true},
    ],
    run: (context, args) => setBalloon(context, args.value as number, args.force === true),
  },
];
