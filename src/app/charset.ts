/** What the terminal can draw: UTF-8 glyphs (box corners, ×, block sparkline) or ASCII only. */
type Charset = 'utf8' | 'ascii';

/**
 * The charset the locale says the terminal takes, as ncurses and htop decide it: the first of
 * LC_ALL, LC_CTYPE, LANG that is set and not empty names the locale, and only a codeset of UTF-8
 * (`en_US.UTF-8`, `C.utf8`) means UTF-8; C, POSIX, another codeset or no locale at all is ASCII.
 * (glibc setlocale reads LC_ALL, then the category, then LANG; ncurses `_nc_unicode_locale` asks
 * nl_langinfo(CODESET) whether it is "UTF-8". Simplified: the codeset is read from the name.)
 */
export function charsetOf(env: Readonly<Record<string, string | undefined>>): Charset {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((value) => value !== undefined && value !== '');
  const codeset = locale?.split('@')[0]?.split('.')[1] ?? '';
  return /^utf-?8$/i.test(codeset) ? 'utf8' : 'ascii';
}
