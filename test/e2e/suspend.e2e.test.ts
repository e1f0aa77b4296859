import {describe, it} from 'vitest';
import {startSvmtop} from '../helpers/pty.js';

const selected = (screen: string) => screen.split('\n').find((line) => line.startsWith('>')) ?? '';
const dashboard = (screen: string) => /legacy-1 +epsilon +running/.test(screen) && screen.includes('q quit');

describe('Ctrl-Z under a wrapper (npm start runs `sh -c`, which runs svmtop)', () => {
  it('stops the whole job, so the shell gets its prompt back, and fg redraws the dashboard', async () => {
    const session = startSvmtop([], {command: {file: '/bin/bash', args: ['--norc', '--noprofile', '-i']}});
    // `; echo` keeps dash from exec'ing node: the wrapper stays, as npm's `sh -c` does.
    const svmtop = `${JSON.stringify(process.execPath)} dist/cli.js`;
    session.press(`PS1='$ ' ; sh -c '${svmtop}; echo wrapper-done-$((6*7))'\r`);
    await session.waitFor(dashboard, 'the dashboard under the wrapper');
    session.press('\u001A');
    // bash reports the job stopped only when its process group leader, the wrapper, stopped too.
    await session.waitFor((s) => /Stopped/.test(s), 'the shell says the job stopped', 5000);
    session.press('fg\r');
    await session.waitFor(dashboard, 'the dashboard again after fg');
    session.press('j');
    await session.waitFor((s) => selected(s).includes('bounce-test'), 'keys work after fg');
    session.press('q');
    await session.waitFor((s) => s.includes('wrapper-done-42'), 'the wrapper goes on after svmtop quits');
    session.press('exit\r');
    await session.exited;
  });
});
