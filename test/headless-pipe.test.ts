import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {CLI} from './helpers/cli.js';

/** CPU time (user + system, in clock ticks) and resident memory (KiB) of a live process. */
function usage(pid: number): {cpuTicks: number; rssKiB: number} {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]),
  };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Polls every 250 ms (a process is being watched) until `predicate` holds, failing after `timeoutMs`. */
async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('headless output into a pipe', () => {
  it('ends with exit 0 and nothing on stderr when the reader goes away, as `| head -n 1` does', async () => {
    const child = spawn(process.execPath, [CLI, '--headless', '--duration', '100000h']);
    const exit = exited(child);
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    let firstLine = '';
    child.stdout.on('data', (data: Buffer) => {
      firstLine ||= data.toString().split('\n')[0]!;
      child.stdout.destroy();
    });
    let code: number | null | undefined;
    void exit.then((value) => (code = value));
    try {
      await until(() => code !== undefined, 'the exit');
    } finally {
      child.kill('SIGKILL');
    }
    expect(JSON.parse(firstLine)).toMatchObject({type: 'event', t: 0});
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('waits for a reader that does not read: CPU stops, memory stays bounded', async () => {
    const child = spawn(process.execPath, [CLI, '--headless', '--duration', '100000h']);
    const exit = exited(child);
    child.stdout.pause();
    try {
      let last = usage(child.pid!);
      let idleSamples = 0;
      await until(() => {
        const now = usage(child.pid!);
        idleSamples = now.cpuTicks - last.cpuTicks <= 1 ? idleSamples + 1 : 0;
        last = now;
        return idleSamples >= 4;
      }, 'the process to wait for its reader');
      expect(last.rssKiB).toBeLessThan(250 * 1024);
    } finally {
      child.kill('SIGKILL');
      await exit;
    }
  });
});
