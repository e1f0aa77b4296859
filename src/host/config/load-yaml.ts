import {isScalar, parseDocument, type Document} from 'yaml';
import type {z} from 'zod';
import {
  CONFIG_PARSE_OPTIONS,
  describeIssue,
  formatConfigError,
  oneConfigLine,
  shownValue,
} from './format-issue.js';
import {readFileBoundedSync} from './read-bounded.js';

export type LoadResult<T> =
  {readonly ok: true; readonly value: T} | {readonly ok: false; readonly error: string};

/**
 * Size cap on world and scenario files, enforced while reading. The default world is 6 KiB, so
 * 4 MiB leaves room for generated worlds of thousands of guests, while parsing costs 50–110 bytes
 * of memory per byte of YAML (a 10 MB world took 0.5–1.1 GB to apply, #15): about 450 MB at most.
 */
export const CONFIG_FILE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Reads a YAML file and validates it with a schema.
 * @returns the value, or one line naming the file, the path inside it and the rule
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): LoadResult<z.output<S>> {
  const read = readFileBoundedSync(file, CONFIG_FILE_MAX_BYTES);
  if (!read.ok) return {ok: false, error: oneConfigLine(`${file}: ${read.error}`)};
  return parseYamlText(file, read.bytes.toString('utf8'), schema);
}

/** Parses YAML text already in memory (the same rules as loadYamlFile). */
export function parseYamlText<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): LoadResult<z.output<S>> {
  const document = parseDocument(text, {prettyErrors: true, uniqueKeys: true});
  const yamlError = document.errors[0];
  if (yamlError) {
    const position = yamlError.linePos?.[0];
    const where = position ? `line ${position.line}, column ${position.col}` : 'YAML';
    return {
      ok: false,
      error: oneConfigLine(
        `${file}: ${where}: ${firstLine(yamlError.message).replace(/ at line \d+, column \d+:?$/, '')}`,
      ),
    };
  }
  let data: unknown;
  try {
    data = document.toJS({maxAliasCount: 100});
  } catch (error) {
    return {
      ok: false,
      error: oneConfigLine(
        `${file}: YAML: ${firstLine(error instanceof Error ? error.message : String(error))}`,
      ),
    };
  }
  if (data === null || data === undefined)
    return {ok: false, error: oneConfigLine(`${file}: (top level): the file is empty`)};
  const parsed = schema.safeParse(data, CONFIG_PARSE_OPTIONS);
  if (!parsed.success) {
    const issue = describeIssue(parsed.error.issues, (path) => writtenAt(document, path));
    return {ok: false, error: formatConfigError(file, issue.path, issue.message)};
  }
  return {ok: true, value: parsed.data};
}

/** A scalar as the file writes it, so that a message quotes 18446744073709551616 and not its rounding. */
function writtenAt(document: Document, path: readonly PropertyKey[]): string | undefined {
  const node = document.getIn(path as unknown[], true);
  return isScalar(node) ? shownValue(node.value, node.source) : undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
