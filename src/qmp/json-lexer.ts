/**
 * QEMU's JSON lexer, state for state (qemu/qemu qobject/json-lexer.c json_lexer[] and
 * json_lexer_feed_char): RFC 8259 tokens plus QEMU's extensions (single-quoted strings, `\'`),
 * bytes 0x20..0xFD inside strings, control characters and 0xFE/0xFF refused, numbers and
 * keywords ended by one byte of lookahead, and after an error it skips to a point where it can
 * resynchronise (IN_RECOVERY). Interpolation (`%p`) is off, as for QMP, so `%` is a
 * stray byte. Decoding and validating strings is left to the parser, as in QEMU.
 */

export type TokenType =
  | 'lcurly'
  | 'rcurly'
  | 'lsquare'
  | 'rsquare'
  | 'colon'
  | 'comma'
  | 'integer'
  | 'float'
  | 'keyword'
  | 'string'
  | 'error';

export interface Token {
  readonly type: TokenType;
  /** The token's bytes as they arrived (quotes included for strings). */
  readonly bytes: Uint8Array;
}

const enum State {
  recovery,
  dqStringEscape,
  dqString,
  sqStringEscape,
  sqString,
  zero,
  expDigits,
  expSign,
  expE,
  mantissa,
  mantissaDigits,
  digits,
  sign,
  keyword,
  start,
}

/**
 * One transition of json_lexer[][]: to a state (the byte is consumed), to a token (consumed, or
 * ended by this byte as lookahead, QEMU's LOOKAHEAD bit), or to an error (consumed).
 */
type Step =
  | {readonly state: State; readonly isLookahead?: true}
  | {readonly token: TokenType; readonly isLookahead: boolean};

const SINGLE_BYTE_TOKENS: ReadonlyMap<number, TokenType> = new Map([
  [0x7b, 'lcurly'],
  [0x7d, 'rcurly'],
  [0x5b, 'lsquare'],
  [0x5d, 'rsquare'],
  [0x2c, 'comma'],
  [0x3a, 'colon'],
]);

const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
/** Steps are preallocated: the lexer runs once per input byte. */
const STATE_STEPS: readonly Step[] = Array.from({length: State.start + 1}, (_, state) => ({
  state: state as State,
}));
const to = (state: State): Step => STATE_STEPS[state]!;
const ERROR: Step = {token: 'error', isLookahead: false};
const STRING_END: Step = {token: 'string', isLookahead: false};
const RESYNCHRONISE: Step = {state: State.start, isLookahead: true};
const TERMINALS: ReadonlyMap<TokenType, Step> = new Map(
  (['integer', 'float', 'keyword'] as const).map((token) => [token, {token, isLookahead: true}]),
);
const SINGLE_BYTE_STEPS: ReadonlyMap<number, Step> = new Map(
  [...SINGLE_BYTE_TOKENS].map(([byte, token]) => [byte, {token, isLookahead: false}]),
);
/** TERMINAL(x): any byte that does not continue the token ends it and is read again. */
const ends = (token: TokenType): Step => TERMINALS.get(token)!;

/**
 * IN_RECOVERY: after an error, skip to a structural character, a control character other than
 * tab, or 0xFE/0xFF, and read that again from the start state.
 */
function recoveryStep(byte: number): Step {
  const resynchronises = (byte < 0x20 && byte !== 0x09) || byte >= 0xfe || SINGLE_BYTE_TOKENS.has(byte);
  return resynchronises ? RESYNCHRONISE : to(State.recovery);
}

function stringStep(byte: number, quote: number, escape: State, inString: State): Step {
  if (byte === quote) return STRING_END;
  if (byte === 0x5c) return to(escape);
  return byte >= 0x20 && byte <= 0xfd ? to(inString) : ERROR;
}

function numberStep(state: State, byte: number): Step {
  const isExponent = byte === 0x65 || byte === 0x45;
  switch (state) {
    case State.zero:
      if (isDigit(byte)) return ERROR;
      return byte === 0x2e ? to(State.mantissa) : ends('integer');
    case State.expDigits:
      return isDigit(byte) ? to(State.expDigits) : ends('float');
    case State.expSign:
      return isDigit(byte) ? to(State.expDigits) : ERROR;
    case State.expE:
      if (byte === 0x2d || byte === 0x2b) return to(State.expSign);
      return isDigit(byte) ? to(State.expDigits) : ERROR;
    case State.mantissa:
      return isDigit(byte) ? to(State.mantissaDigits) : ERROR;
    case State.mantissaDigits:
      if (isDigit(byte)) return to(State.mantissaDigits);
      return isExponent ? to(State.expE) : ends('float');
    case State.digits:
      if (isDigit(byte)) return to(State.digits);
      if (isExponent) return to(State.expE);
      return byte === 0x2e ? to(State.mantissa) : ends('integer');
    default: // sign
      if (byte === 0x30) return to(State.zero);
      return byte >= 0x31 && byte <= 0x39 ? to(State.digits) : ERROR;
  }
}

function startStep(byte: number): Step {
  const single = SINGLE_BYTE_STEPS.get(byte);
  if (single) return single;
  if (byte === 0x22) return to(State.dqString);
  if (byte === 0x27) return to(State.sqString);
  if (byte === 0x30) return to(State.zero);
  if (byte >= 0x31 && byte <= 0x39) return to(State.digits);
  if (byte === 0x2d) return to(State.sign);
  if (byte >= 0x61 && byte <= 0x7a) return to(State.keyword);
  return isWhitespace(byte) ? to(State.start) : ERROR;
}

function step(state: State, byte: number): Step {
  switch (state) {
    case State.recovery:
      return recoveryStep(byte);
    case State.dqStringEscape:
      return byte >= 0x20 && byte <= 0xfd ? to(State.dqString) : ERROR;
    case State.dqString:
      return stringStep(byte, 0x22, State.dqStringEscape, State.dqString);
    case State.sqStringEscape:
      return byte >= 0x20 && byte <= 0xfd ? to(State.sqString) : ERROR;
    case State.sqString:
      return stringStep(byte, 0x27, State.sqStringEscape, State.sqString);
    case State.keyword:
      return byte >= 0x61 && byte <= 0x7a ? to(State.keyword) : ends('keyword');
    case State.start:
      return startStep(byte);
    default:
      return numberStep(state, byte);
  }
}

/** One-byte tokens share these (they are never written to). */
const SINGLE_BYTES: readonly Uint8Array[] = Array.from({length: 256}, (_, byte) => Uint8Array.of(byte));

/** A growable byte buffer for the token being lexed. */
class TokenBytes {
  #bytes = new Uint8Array(64);
  length = 0;

  push(byte: number): void {
    if (this.length === this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[this.length++] = byte;
  }

  take(): Uint8Array {
    const bytes = this.length === 1 ? SINGLE_BYTES[this.#bytes[0]!]! : this.#bytes.slice(0, this.length);
    this.length = 0;
    if (this.#bytes.length > 4096) this.#bytes = new Uint8Array(64);
    return bytes;
  }
}

/**
 * Feeds bytes, emits tokens. `tokenBytesMax` bounds one token (QEMU: MAX_TOKEN_SIZE, 64 MiB);
 * a longer one is reported as `oversize` and the lexer starts afresh.
 */
export class JsonLexer {
  #state = State.start;
  readonly #token = new TokenBytes();

  constructor(
    private readonly onToken: (token: Token) => void,
    private readonly onOversize: () => void,
    private readonly tokenBytesMax: number,
  ) {}

  /** Forgets a partial token (after an error that discards the rest of a line). */
  reset(): void {
    this.#state = State.start;
    this.#token.take();
  }

  /** json_lexer_feed_char: one byte, possibly read twice when it ended a token. */
  feedByte(byte: number): void {
    for (let isConsumed = false; !isConsumed;) {
      const next = step(this.#state, byte);
      isConsumed = next.isLookahead !== true;
      if (isConsumed) this.#token.push(byte);
      if ('token' in next) {
        const bytes = this.#token.take();
        this.#state = next.token === 'error' ? State.recovery : State.start;
        this.onToken({type: next.token, bytes});
      } else {
        this.#state = next.state;
        if (next.state === State.start || next.state === State.recovery) this.#token.take();
      }
    }
    if (this.#token.length > this.tokenBytesMax) {
      this.reset();
      this.onOversize();
    }
  }
}
