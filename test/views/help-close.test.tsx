import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {renderDashboard} from '../helpers/views.js';

// `q` in the help closes the help, as any key returns from htop's: but the key bar under the help
// still said `q quit` and the help's title named only Esc and ?. What is on screen says what q does.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each([
  [80, 24],
  [120, 40],
] as const)('the help at %ix%i', (columns, rows) => {
  it('says q closes it, and q does', async () => {
    const view = renderDashboard({columns, rows});
    await view.type('?');
    const lines = view.frame().split('\n');
    expect(lines[2]).toMatch(/Esc, q or \? closes/);
    expect(lines.at(-1)).toMatch(/Esc q \? back to the dashboard/);
    expect(lines.at(-1)).not.toMatch(/q quit/);
    await view.type('x');
    expect(view.statusLine()).toContain('in the help: j/k or PgUp/PgDn scroll; Esc, q or ? closes');
    await view.type('q');
    expect(view.frame()).not.toContain('svmtop keys');
    expect(view.frame().split('\n').at(-1)).toMatch(/q quit$/);
    expect(view.commands.quits).toBe(0);
    await view.type('q');
    expect(view.commands.quits).toBe(1);
  });
});
