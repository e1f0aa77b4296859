import {existsSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {formatConfigError} from './format-issue.js';
import {loadYamlFile, parseYamlText, type LoadResult} from './load-yaml.js';
import {checkLinkBandwidths} from './link-bandwidth.js';
import {checkWorldReferences} from './world-references.js';
import {worldSchema, type WorldConfig} from './world-schema.js';

/** The embedded default world, shipped in the package. */
export const DEFAULT_WORLD_FILE = join(packageRoot(fileURLToPath(import.meta.url)), 'config', 'default.yaml');

/** The nearest directory above `file` holding svmtop's package.json (source, build or a bundle of either). */
function packageRoot(file: string): string {
  for (let directory = dirname(file); ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && /"name":\s*"svmtop"/.test(readFileSync(manifest, 'utf8'))) return directory;
    if (dirname(directory) === directory) return join(dirname(file), '..', '..', '..');
  }
}

/** Loads and validates a world file; errors name the file, the path inside it and the rule. */
export function loadWorldFile(file: string): LoadResult<WorldConfig> {
  return checked(file, loadYamlFile(file, worldSchema));
}

export function parseWorldText(file: string, text: string): LoadResult<WorldConfig> {
  return checked(file, parseYamlText(file, text, worldSchema));
}

function checked(file: string, result: LoadResult<WorldConfig>): LoadResult<WorldConfig> {
  if (!result.ok) return result;
  const issue = [...checkWorldReferences(result.value), ...checkLinkBandwidths(result.value)][0];
  if (issue) return {ok: false, error: formatConfigError(file, issue.path, issue.message)};
  return result;
}
