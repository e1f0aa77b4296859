import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** `npm start` as a person types it: npm's own CLI (the one running this benchmark when there is one). */
const NPM = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];

/**
 * Milliseconds from spawning `npm start [-- args]` in a 120×40 pseudo-terminal until the screen
 * holds a full dashboard frame: the title on the first row and the key bar at the bottom. With
 * `--help`, until the help text has been printed and the process has exited.
 */
export async function timeStartup(args: string[], columns = 120, rows = 40): Promise<number> {
  const isHelp = args.includes('--help');
  const terminal = new xterm.Terminal({cols: columns, rows, allowProposedApi: true});
  const start = performance.now();
  const child = pty.spawn(NPM[0]!, [...NPM.slice(1), 'start', '--silent', '--', ...args], {
    name: 'xterm-256color',
    cols: columns,
    rows,
    cwd: ROOT,
    env: {
      ...process.env,
      TERM: 'xterm-256color',
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'svmtop-bench-start-')),
    } as Record<string, string>,
  });
  const exited = new Promise<number>((resolve) => child.onExit(() => resolve(performance.now())));
  if (isHelp) {
    const end = await exited;
    return end - start;
  }
  const firstFullFrameAt = await new Promise<number>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('no full frame within 30 s')), 30_000);
    child.onData((data) => {
      const arrived = performance.now();
      terminal.write(data, () => {
        const buffer = terminal.buffer.active;
        const line = (row: number) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '';
        if (
          line(0).startsWith('svmtop') &&
          [line(rows - 2), line(rows - 1)].some((row) => row.includes('q quit'))
        ) {
          clearTimeout(timeout);
          resolve(arrived);
        }
      });
    });
  });
  child.write('q');
  await exited;
  return firstFullFrameAt - start;
}

if (process.argv[1]?.endsWith('startup.ts')) {
  for (const args of [[], ['--help']]) {
    const times: number[] = [];
    for (let run = 0; run < 5; run++) times.push(await timeStartup(args));
    console.log(`npm start ${args.join(' ')}`, times.map((ms) => ms.toFixed(0)).join(' '), 'ms');
  }
}
