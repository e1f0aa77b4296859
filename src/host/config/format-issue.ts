import type {z} from 'zod';

/** Renders a config path the way people write it: `guests[2].devices[0].type`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += `${text === '' ? '' : '.'}${shortened(String(part))}`;
  }
  return text === '' ? '(top level)' : text;
}

/**
 * One line naming the file, the path inside it and the rule. Keys and values come from the file,
 * and a YAML key may hold a line break (`? |` block keys), so control characters are escaped.
 */
export function formatConfigError(file: string, path: readonly PropertyKey[], message: string): string {
  // The values a message quotes are escaped already (quoted): its backslashes are not escaped again.
  return `${oneConfigLine(`${file}: ${formatConfigPath(path)}`)}: ${escapeControls(message)}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * What JSON.stringify leaves raw that a terminal line must not carry: DEL, C1, the Unicode line
 * separators and the bidi controls; the one class every escape here builds on.
 */
const BEYOND_JSON = '\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** The C0 controls, which JSON escapes and an error line must too. */
const C0 = '\\u0000-\\u001f';
const LINE_BREAKERS = new RegExp(`[\\\\${C0}${BEYOND_JSON}]`, 'g');
const CONTROLS = new RegExp(`[${C0}${BEYOND_JSON}]`, 'g');
const BEYOND_JSON_CHARACTERS = new RegExp(`[${BEYOND_JSON}]`, 'g');

/**
 * An error line as printed: the backslash, C0, DEL, C1, the Unicode line separators and the bidi
 * controls escaped, so a file's name or key can neither break the line nor reorder it.
 */
export function oneConfigLine(text: string): string {
  return text.replace(LINE_BREAKERS, escapeCharacter);
}

/** As oneConfigLine, the backslash aside: for text whose quoted values are escaped already. */
function escapeControls(text: string): string {
  return text.replace(CONTROLS, escapeCharacter);
}

function escapeCharacter(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** What JSON.stringify leaves raw (BEYOND_JSON), as `\uXXXX`; JSON escapes C0, `"` and the backslash. */
export function escapeBeyondJson(text: string): string {
  return text.replace(BEYOND_JSON_CHARACTERS, escapeCharacter);
}

/**
 * The message zod gives an issue it words itself (a schema's own message is kept): the parse
 * option below marks those, so that describeIssue words them in svmtop's terms instead.
 */
const ZOD_WORDING = '\u0000zod';

/** What every config parse passes to safeParse: zod's wording marked, and the value kept on each issue. */
export const CONFIG_PARSE_OPTIONS = {error: () => ZOD_WORDING, reportInput: true} as const;

/** A config problem: where it is and the rule, in svmtop's words. */
export interface ConfigIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The value at a path as the file writes it (see shownValue), when the file has one there. */
export type WrittenValue = (path: readonly PropertyKey[]) => string | undefined;

/** The longest value quoted back in a message. */
const SHOWN_VALUE_MAX_CHARACTERS = 60;

/**
 * The first of zod's issues in svmtop's words: the path, the rule and the value as written, e.g.
 * `expected a whole number, got 2.5`, `expected one of idle, web, got "yolo"`. The safe-integer
 * bound zod puts on every `.int()` gives way to the field's own bound on the same path.
 */
export function describeIssue(issues: readonly z.core.$ZodIssue[], written: WrittenValue = () => undefined) {
  const first = issues[0]!;
  const own = isSafeIntegerBound(first)
    ? issues.find((issue) => issue !== first && samePath(issue.path, first.path))
    : undefined;
  return describe(own ?? first, first.path as PropertyKey[], written);
}

function describe(issue: z.core.$ZodIssue, path: PropertyKey[], written: WrittenValue): ConfigIssue {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return {path: [...path, key] as ConfigIssue['path'], message: `unknown key ${quoted(String(key))}`};
  }
  if (issue.code === 'invalid_union' && issue.message === ZOD_WORDING) {
    const deepest = issue.errors
      .map((branch) => branch[0]!)
      .filter((branchIssue) => branchIssue.path.length > 0)
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest) return describe(deepest, [...path, ...deepest.path], written);
  }
  // A record's key: its rule, with the key itself as the value.
  if (issue.code === 'invalid_key' && issue.issues[0])
    return {
      path: path as ConfigIssue['path'],
      message: withValue(rule(issue.issues[0]), issue.issues[0].input, undefined),
    };
  return {
    path: path as ConfigIssue['path'],
    message: withValue(rule(issue), issue.input, written(path), issue),
  };
}

/** The rule an issue broke, without the value. */
function rule(issue: z.core.$ZodIssue): string {
  if (issue.message !== ZOD_WORDING) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${orList(typeWords(issue.expected))}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}`
        : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      return `expected ${orList([...new Set(issue.errors.flatMap((branch) => alternatives(branch[0]!)))])}`;
    case 'too_small':
    case 'too_big':
      return sizeRule(issue);
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return issue.format === 'regex'
        ? `expected text matching ${issue.pattern}`
        : `expected ${issue.format}`;
    default:
      return 'not a value svmtop accepts here';
  }
}

/** What a union branch accepts, as words for `expected a, b or c`. */
function alternatives(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'invalid_type') return typeWords(issue.expected);
  if (issue.code === 'invalid_value') return issue.values.map(String);
  return [rule(issue).replace(/^expected /, '')];
}

function typeWords(expected: string): string[] {
  const words: Record<string, string[]> = {
    boolean: ['true', 'false'],
    int: ['a whole number'],
    number: ['a number'],
    string: ['a string'],
    object: ['a map (key: value)'],
    record: ['a map (key: value)'],
    array: ['a list'],
    tuple: ['a list'],
    null: ['null'],
  };
  return words[expected] ?? [expected];
}

/** A bound: of a number, a list's length or a string's. */
function sizeRule(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const isMin = issue.code === 'too_small';
  const bound = String(
    isMin ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum,
  );
  if (issue.origin === 'string' && isMin && bound === '1') return 'expected a non-empty string';
  const unit =
    issue.origin === 'array' || issue.origin === 'set'
      ? ' items'
      : issue.origin === 'string'
        ? ' characters'
        : '';
  if (issue.exact) return `expected exactly ${bound}${unit}`;
  if (issue.origin === 'int')
    return `expected a whole number of at ${isMin ? 'least' : 'most'} ${bound} (the largest read exactly)`;
  const word =
    issue.inclusive === false ? (isMin ? 'more than' : 'less than') : isMin ? 'at least' : 'at most';
  return `expected ${word} ${bound}${unit}`;
}

/**
 * The rule and the value that broke it: `…, got 2.5`; `missing, …` when the key is absent. A
 * number is quoted as written in the file, so 2^64 reads 18446744073709551616, not its rounding.
 */
function withValue(
  ruleText: string,
  input: unknown,
  asWritten: string | undefined,
  issue?: z.core.$ZodIssue,
): string {
  if (input === undefined) return `missing, ${ruleText}`;
  if (typeof input === 'object' && input !== null) {
    const isList = Array.isArray(input);
    if (isList && (issue?.code === 'too_small' || issue?.code === 'too_big'))
      return `${ruleText}, got ${input.length}`;
    // A list where a map goes, or the other way round; a rule about a whole map needs no value.
    const isType = issue?.code === 'invalid_type' || issue?.code === 'invalid_union';
    return isType ? `${ruleText}, got ${isList ? 'a list' : 'a map'}` : ruleText;
  }
  return `${ruleText}, got ${asWritten ?? shownValue(input)}`;
}

/**
 * A value quoted back in a message: a string quoted (see quoted), anything else as `source` writes
 * it (a number's own digits) or else as JavaScript prints it, bounded alike.
 */
export function shownValue(value: unknown, source?: string): string {
  return typeof value === 'string' ? quoted(value) : shortened(source ?? String(value));
}

/** Text from the file in JSON quotes, escaped once, by its start and its length when long. */
export function quoted(text: string): string {
  const long = text.length > SHOWN_VALUE_MAX_CHARACTERS;
  return `${JSON.stringify(long ? text.slice(0, SHOWN_VALUE_MAX_CHARACTERS) : text)}${long ? lengthNote(text) : ''}`;
}

/** Text from the file by its start and its length when long: `999…9... (1000000 characters)`. */
function shortened(text: string): string {
  return text.length > SHOWN_VALUE_MAX_CHARACTERS
    ? `${text.slice(0, SHOWN_VALUE_MAX_CHARACTERS)}${lengthNote(text)}`
    : text;
}

function lengthNote(text: string): string {
  return `... (${text.length} characters)`;
}

function isSafeIntegerBound(issue: z.core.$ZodIssue): boolean {
  return (issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'int';
}

function samePath(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}

/** `a`, `a or b`, `a, b or c`. */
function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
}
