import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs the built `svmtop` (npm test builds it first). */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): {status: number | null; stdout: string; stderr: string} {
  if (!existsSync(CLI))
    throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it for you)');
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: {...process.env, ...env},
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return {status: result.status, stdout: result.stdout, stderr: result.stderr};
}
