import {JsonLexer, type Token} from './json-lexer.js';
import {parseTokens} from './json-parser.js';
import {bytesToText} from './mod-utf8.js';
import type {QObject} from './qobject.js';

/** QEMU's MAX_NESTING (qobject/json-streamer.c): brackets and braces open at once. */
export const JSON_NESTING_MAX = 1024;
/**
 * Bytes of tokens in one message (QEMU's MAX_TOKEN_SIZE is 64 MiB). svmtop keeps 1 MiB, and
 * after this error it skips to the end of the line instead of lexing the rest of the oversize
 * input as new tokens, so one oversize line costs one error reply.
 */
export const JSON_MESSAGE_BYTES_MAX = 1 << 20;

/**
 * Tokens in one message (QEMU's MAX_TOKEN_COUNT is 2M). QMP requests have tens; svmtop keeps
 * 64 Ki, so a hostile line of tiny tokens costs milliseconds, not the simulation's time.
 */
export const JSON_TOKENS_MAX = 1 << 16;

export type StreamerOutput = {readonly value: QObject} | {readonly error: string};

/**
 * Splits a byte stream into JSON messages as QEMU's json-streamer does: a message ends when its
 * braces and brackets balance (or a lone scalar is complete, or one closes more than it opened);
 * a lexical error or a bound discards what was collected and reports one error; the stream then
 * continues, so the connection keeps working.
 */
export class JsonStreamer {
  readonly #lexer: JsonLexer;
  #tokens: Token[] = [];
  #tokenBytes = 0;
  #braceCount = 0;
  #bracketCount = 0;
  #isSkippingLine = false;

  constructor(
    private readonly emit: (output: StreamerOutput) => void,
    private readonly messageBytesMax = JSON_MESSAGE_BYTES_MAX,
  ) {
    this.#lexer = new JsonLexer(
      (token) => this.#onToken(token),
      () => this.#fail('JSON token size limit exceeded', true),
      messageBytesMax,
    );
  }

  /** Feeds bytes; `isStopped` is checked between bytes (a closed connection stops early). */
  feed(bytes: Uint8Array, isStopped: () => boolean = () => false): void {
    for (let index = 0; index < bytes.length && !isStopped(); index++) {
      const byte = bytes[index]!;
      if (this.#isSkippingLine) {
        if (byte === 0x0a) this.#isSkippingLine = false;
        continue;
      }
      this.#lexer.feedByte(byte);
      if (this.#isSkippingLine) {
        // The bound was hit on this byte (perhaps while it was a token's lookahead): drop any
        // token it started, and if it ended the line, the next line is read normally.
        this.#lexer.reset();
        if (byte === 0x0a) this.#isSkippingLine = false;
      }
    }
  }

  #onToken(token: Token): void {
    if (this.#isSkippingLine) return;
    switch (token.type) {
      case 'lcurly':
        this.#braceCount++;
        break;
      case 'rcurly':
        this.#braceCount--;
        break;
      case 'lsquare':
        this.#bracketCount++;
        break;
      case 'rsquare':
        this.#bracketCount--;
        break;
      case 'error':
        this.#fail(`JSON parse error, stray '${bytesToText(token.bytes)}'`, false);
        return;
      default:
        break;
    }
    if (this.#tokenBytes + token.bytes.length + 1 > this.messageBytesMax) {
      this.#fail('JSON token size limit exceeded', true);
      return;
    }
    if (this.#tokens.length + 1 > JSON_TOKENS_MAX) {
      this.#fail('JSON token count limit exceeded', true);
      return;
    }
    if (this.#braceCount + this.#bracketCount > JSON_NESTING_MAX) {
      this.#fail('JSON nesting depth limit exceeded', false);
      return;
    }
    this.#tokens.push(token);
    this.#tokenBytes += token.bytes.length;
    const isOpen = this.#braceCount > 0 || this.#bracketCount > 0;
    if (isOpen && this.#braceCount >= 0 && this.#bracketCount >= 0) return;
    const tokens = this.#tokens;
    this.#clear();
    this.emit(parseTokens(tokens));
  }

  #fail(error: string, skipsLine: boolean): void {
    this.#clear();
    if (skipsLine) this.#isSkippingLine = true;
    this.emit({error});
  }

  #clear(): void {
    this.#tokens = [];
    this.#tokenBytes = 0;
    this.#braceCount = 0;
    this.#bracketCount = 0;
  }
}
