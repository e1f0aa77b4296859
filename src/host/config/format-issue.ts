/** Renders a config path the way people write it: `guests[2].devices[0].type`. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(top level)' : text;
}

/** One line naming the file, the path inside it and the rule. */
export function formatConfigError(file: string, path: readonly PropertyKey[], message: string): string {
  return `${file}: ${formatConfigPath(path)}: ${message}`;
}
