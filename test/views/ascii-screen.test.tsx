import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {charsetOf} from '../../src/app/charset.js';
import {sparkline} from '../../src/views/format.js';
import {glyphsOf} from '../../src/views/glyphs.js';
import {createTheme} from '../../src/views/theme.js';
import {renderDashboard} from '../helpers/views.js';

// An exploratory tester ran `LANG=C svmtop`: box corners, `×` and the sparkline came out in
// UTF-8 all the same. htop and ncurses draw ASCII where the locale's codeset is not UTF-8.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the charset comes from the locale, as ncurses decides it', () => {
  it.each([
    [{}, 'ascii'],
    [{LANG: 'C'}, 'ascii'],
    [{LANG: 'POSIX'}, 'ascii'],
    [{LANG: 'en_US.UTF-8'}, 'utf8'],
    [{LANG: 'C.utf8'}, 'utf8'],
    [{LANG: 'de_DE.utf8@euro'}, 'utf8'],
    [{LANG: 'en_US.ISO-8859-1'}, 'ascii'],
    [{LANG: 'en_US.UTF-8', LC_ALL: 'C'}, 'ascii'],
    [{LANG: 'C', LC_CTYPE: 'en_US.UTF-8'}, 'utf8'],
    [{LANG: 'C', LC_ALL: '', LC_CTYPE: 'C.UTF-8'}, 'utf8'],
    [{LANG: 'en_US.UTF-8', LC_CTYPE: 'C'}, 'ascii'],
  ] as const)('%j: %s', (env, charset) => {
    expect(charsetOf(env)).toBe(charset);
  });
});

const ascii = createTheme(false, false);

describe('under ASCII no byte of the screen is 0x80 or above', () => {
  it.each([
    [80, 24],
    [120, 40],
  ] as const)(
    'at %ix%i: dashboard, every tab, help, picker, question, filter, too small',
    async (columns, rows) => {
      for (const keys of ['', 'jjj1', 'jjj2', 'G3', 'jjjj4', '?', 'jjjm', 'jjjjs', '/sec']) {
        const view = renderDashboard({columns, rows, seconds: 30, theme: ascii});
        if (keys) await view.type(keys);
        expect(
          [...Buffer.from(view.frame())].filter((byte) => byte >= 0x80),
          keys,
        ).toEqual([]);
      }
    },
  );

  it('exact frames: the picker box in ASCII at 80x24, the UTF-8 one unchanged', async () => {
    const view = renderDashboard({columns: 80, rows: 24, seconds: 30, theme: ascii});
    await view.type('jjjm');
    await expect(`${view.frame()}\n`).toMatchFileSnapshot('frames/picker-ascii-80x24.txt');
    const utf8 = renderDashboard({columns: 80, rows: 24, seconds: 30});
    await utf8.type('jjjm');
    await expect(`${utf8.frame()}\n`).toMatchFileSnapshot('frames/picker-80x24.txt');
  });

  it('the too-small screen in both charsets, exactly', () => {
    const small = renderDashboard({columns: 60, rows: 20, theme: ascii}).frame().trimEnd();
    expect(small).toBe('terminal too small (need 80x24)\nnow 60x20; resize, or q to quit');
    const utf8 = renderDashboard({columns: 60, rows: 20}).frame().trimEnd();
    expect(utf8).toBe('terminal too small (need 80\u00d724)\nnow 60\u00d720; resize, or q to quit');
  });

  it('the swiotlb tab in ASCII at 120x40 (its sparkline)', async () => {
    const view = renderDashboard({columns: 120, rows: 40, seconds: 30, theme: ascii});
    await view.type('jjj2');
    await expect(`${view.frame()}\n`).toMatchFileSnapshot('frames/swiotlb-ascii-120x40.txt');
  });

  it('the sparkline ramps', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, 8, glyphsOf(ascii).spark)).toBe('_.,:-=+#');
    expect(sparkline([0, 7], 2, 8, glyphsOf(createTheme(false)).spark)).toBe('\u2581\u2588');
  });
});

/** Source lines outside comments that hold a character beyond ASCII, in `dirs` (and below when `isDeep`). */
function nonAsciiLines(dirs: readonly string[], isDeep: boolean): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir, {recursive: isDeep})
      .map(String)
      .filter((name) => /\.tsx?$/.test(name))) {
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const code = line.replace(/\/\/.*$/, '');
          if (/^\s*(\/\*\*|\*)/.test(code)) return;
          if (/[^\t\u0020-\u007e]/.test(code)) found.push(`${dir}/${file}:${index + 1}: ${line.trim()}`);
        });
    }
  }
  return found;
}

describe('every glyph in src/views and src/app goes through glyphs.ts', () => {
  it('no source line outside a comment holds a character beyond ASCII', () => {
    expect(nonAsciiLines(['src/views', 'src/app'], false)).toEqual([]);
  });
});

// Host, core and QMP words reach the screen (reasons, events, invariant messages) untranslated.
describe('the host, core and QMP layers write ASCII outside comments', () => {
  it('no source line outside a comment holds a character beyond ASCII', () => {
    expect(nonAsciiLines(['src/host', 'src/core', 'src/qmp'], true)).toEqual([]);
  });
});
