/** Renders a config path the way people write it: `guests[2].devices[0].type`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(top level)' : text;
}

/**
 * One line naming the file, the path inside it and the rule. Keys and values come from the file,
 * and a YAML key may hold a line break (`? |` block keys), so control characters are escaped.
 */
export function formatConfigError(file: string, path: readonly PropertyKey[], message: string): string {
  return oneConfigLine(`${file}: ${formatConfigPath(path)}: ${message}`);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * An error line as printed: the backslash, C0, DEL, C1, the Unicode line separators and the bidi
 * controls escaped, so a file's name or key can neither break the line nor reorder it.
 */
export function oneConfigLine(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * What JSON.stringify leaves raw that a terminal line must not carry: DEL, C1, the Unicode line
 * separators and the bidi controls, as `\uXXXX` (JSON already escapes C0, `"` and the backslash).
 */
export function escapeBeyondJson(text: string): string {
  return text.replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
