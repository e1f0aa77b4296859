import {fileURLToPath} from 'node:url';
import {formatConfigError} from './format-issue.js';
import {loadYamlFile, parseYamlText, type LoadResult} from './load-yaml.js';
import {checkWorldReferences} from './world-references.js';
import {worldSchema, type WorldConfig} from './world-schema.js';

/** The embedded default world, shipped in the package. */
export const DEFAULT_WORLD_FILE = fileURLToPath(new URL('../../../config/default.yaml', import.meta.url));

/** Loads and validates a world file; errors name the file, the path inside it and the rule. */
export function loadWorldFile(file: string): LoadResult<WorldConfig> {
  return checked(file, loadYamlFile(file, worldSchema));
}

export function parseWorldText(file: string, text: string): LoadResult<WorldConfig> {
  return checked(file, parseYamlText(file, text, worldSchema));
}

function checked(file: string, result: LoadResult<WorldConfig>): LoadResult<WorldConfig> {
  if (!result.ok) return result;
  const issue = checkWorldReferences(result.value)[0];
  if (issue) return {ok: false, error: formatConfigError(file, issue.path, issue.message)};
  return result;
}
