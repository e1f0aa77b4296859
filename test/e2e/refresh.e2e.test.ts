import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {startSvmtop} from '../helpers/pty.js';

const savedRefreshMs = (configHome: string) =>
  (JSON.parse(readFileSync(join(configHome, 'svmtop-nodejs', 'config.json'), 'utf8')) as {refreshMs: number})
    .refreshMs;

async function runOnce(args: string[], configHome?: string): Promise<string> {
  const session = startSvmtop(args, configHome === undefined ? {} : {configHome});
  await session.waitFor((screen) => screen.includes('web-1'), 'the dashboard');
  session.press('q');
  expect((await session.exited).exitCode).toBe(0);
  return session.configHome;
}

describe('refresh interval', () => {
  it('is 2 s by default (#17: htop 1.5 s, btop 2 s), and a --refresh given once is remembered', async () => {
    const configHome = await runOnce([]);
    expect(savedRefreshMs(configHome)).toBe(2000);
    await runOnce(['--refresh', '3s'], configHome);
    expect(savedRefreshMs(configHome)).toBe(3000);
    await runOnce([], configHome);
    expect(savedRefreshMs(configHome)).toBe(3000);
  });
});
