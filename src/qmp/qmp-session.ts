import type {QmpEvent} from './event-watcher.js';
import {JsonStreamer, type StreamerOutput} from './json-streamer.js';
import {QapiError, visitStruct} from './qapi-visit.js';
import type {CommandOutcome, QmpCommandDef} from './qmp-command.js';
import {isQDict, type QDict, type QObject} from './qobject.js';
import {formatQObject, qdictKeyOrder, type OutputValue} from './qobject-format.js';

/** Every message ends in CRLF, as QEMU's monitor writes them (monitor/qmp.c qmp_send_response). */
const LINE_END = '\r\n';

export interface SessionOptions<Context> {
  readonly commands: ReadonlyMap<string, QmpCommandDef<Context>>;
  readonly context: Context;
  /** Writes one line (CRLF included). */
  readonly write: (line: string) => void;
  /** True once the connection is gone: input after that is not parsed. */
  readonly isClosed: () => boolean;
  /**
   * Negotiation just completed, before its reply and before any request behind it in the same
   * read: events must flow from here on.
   */
  readonly onNegotiated?: () => void;
  /**
   * Runs each well-formed request that names a command, once the session may run it: the one
   * place its outcome, reply or refusal, is known before it is written (the monitor logs there).
   * `supplied` gives the strings the client sent in its arguments (names and values).
   */
  readonly answer?: (
    name: string,
    run: () => CommandOutcome,
    supplied: () => readonly string[],
  ) => CommandOutcome;
}

/**
 * One QMP connection (docs/interop/qmp-spec.rst, monitor/qmp.c, qapi/qmp-dispatch.c): the
 * greeting, capabilities negotiation, requests checked member by member in QDict order, the `id`
 * echoed whatever its JSON type, events only once negotiated.
 */
export class QmpSession<Context> {
  #isNegotiated = false;
  readonly #streamer: JsonStreamer;

  constructor(private readonly options: SessionOptions<Context>) {
    this.#streamer = new JsonStreamer((output) => this.#handle(output));
  }

  get isNegotiated(): boolean {
    return this.#isNegotiated;
  }

  sendGreeting(greeting: OutputValue): void {
    this.options.write(formatQObject(greeting) + LINE_END);
  }

  receive(bytes: Uint8Array): void {
    this.#streamer.feed(bytes, this.options.isClosed);
  }

  /** Sends an event if the session has negotiated (QEMU sends none before). */
  sendEvent(event: QmpEvent, wallUs: number): void {
    if (!this.#isNegotiated) return;
    const seconds = Math.floor(wallUs / 1_000_000);
    const message = {
      event: event.event,
      data: event.data,
      timestamp: {seconds, microseconds: Math.floor(wallUs - seconds * 1_000_000)},
    };
    this.options.write(formatQObject(message) + LINE_END);
  }

  #handle(output: StreamerOutput): void {
    if ('error' in output) {
      this.#respond({error: {class: 'GenericError', desc: output.error}}, undefined);
      return;
    }
    const request = output.value;
    if (!isQDict(request)) {
      this.#respond({error: {class: 'GenericError', desc: 'QMP input must be a JSON object'}}, undefined);
      return;
    }
    this.#respond(this.#dispatch(request), request.get('id'));
  }

  /** qmp_dispatch: check the request's members and the negotiation, then run the named command. */
  #dispatch(request: QDict): CommandOutcome {
    const problem = checkRequest(request);
    if (problem) return {error: {class: 'GenericError', desc: problem}};
    const name = request.get('execute') as string;
    if (!this.#isNegotiated && name !== 'qmp_capabilities')
      return {
        error: {class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'"},
      };
    const run = () => this.#run(name, request);
    const supplied = () => stringsIn(request.get('arguments') ?? null);
    return this.options.answer ? this.options.answer(name, run, supplied) : run();
  }

  /** The named command: found, its arguments visited, run. */
  #run(name: string, request: QDict): CommandOutcome {
    const command = this.options.commands.get(name);
    if (!command) return {error: {class: 'CommandNotFound', desc: `The command ${name} has not been found`}};
    const argumentsDict = (request.get('arguments') as QDict | undefined) ?? new Map<string, QObject>();
    let args;
    try {
      args = visitStruct(command.args ?? [], argumentsDict);
    } catch (error) {
      if (error instanceof QapiError) return {error: {class: 'GenericError', desc: error.message}};
      throw error;
    }
    // qmp_qmp_capabilities checks this after QAPI has checked its arguments.
    if (this.#isNegotiated && name === 'qmp_capabilities')
      return {
        error: {
          class: 'CommandNotFound',
          desc: 'Capabilities negotiation is already complete, command ignored',
        },
      };
    const outcome = command.run(this.options.context, args);
    if (name === 'qmp_capabilities' && 'return' in outcome) {
      this.#isNegotiated = true;
      this.options.onNegotiated?.();
    }
    return outcome;
  }

  #respond(outcome: CommandOutcome, id: QObject | undefined): void {
    const response = 'return' in outcome ? {return: outcome.return, id} : {error: outcome.error, id};
    this.options.write(formatQObject(response as OutputValue) + LINE_END);
  }
}

/** qmp_dispatch_check_obj: members in QDict order; oob is not offered, so `exec-oob` is unexpected. */
function checkRequest(request: QDict): string | undefined {
  for (const key of qdictKeyOrder([...request.keys()])) {
    const value = request.get(key)!;
    if (key === 'execute') {
      if (typeof value !== 'string') return "QMP input member 'execute' must be a string";
    } else if (key === 'arguments') {
      if (!isQDict(value)) return "QMP input member 'arguments' must be an object";
    } else if (key !== 'id') return `QMP input member '${key}' is unexpected`;
  }
  return request.has('execute') ? undefined : "QMP input lacks member 'execute'";
}

/** Every string in a request's arguments, member names included: what the client wrote itself. */
function stringsIn(value: QObject): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isQDict(value)) return [...value].flatMap(([key, member]) => [key, ...stringsIn(member)]);
  return [];
}
