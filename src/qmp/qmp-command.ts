import type {QapiMember, QapiValue} from './qapi-visit.js';
import type {OutputValue} from './qobject-format.js';

/** QEMU's ErrorClass values (qapi/control.json QapiErrorClass) that svmtop's commands use. */
export type ErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotActive' | 'DeviceNotFound';

export interface QmpError {
  readonly class: ErrorClass;
  readonly desc: string;
}

export type CommandOutcome = {readonly return: OutputValue} | {readonly error: QmpError};

export const ok = (value: OutputValue = {}): CommandOutcome => ({return: value});
export const genericError = (desc: string): CommandOutcome => ({error: {class: 'GenericError', desc}});

/** A world command's result as QMP's answer: `{}` or a GenericError with the world's reason. */
export function fromResult(result: {ok: true} | {ok: false; reason: string; code?: string}): CommandOutcome {
  return result.ok ? ok() : genericError(refusalText(result));
}

/** The world's reason, and QMP's own way out where the refusal's code has one (the host names none). */
export function refusalText(result: {reason: string; code?: string}): string {
  return result.code === 'migrating' ? `${result.reason} (migrate_cancel)` : result.reason;
}

/** A command as QAPI declares it: name, argument members, and what it does. */
export interface QmpCommandDef<Context> {
  readonly name: string;
  readonly args?: readonly QapiMember[];
  readonly run: (context: Context, args: Readonly<Record<string, QapiValue>>) => CommandOutcome;
}
