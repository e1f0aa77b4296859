/** Characters of a client's own text (a QMP command name, a parameter, a host in a URI) a log line keeps. */
export const LOGGED_CLIENT_TEXT_CHARS = 40;

/** `text` whole when it is short, else its first characters and how many were cut. */
export function boundedText(text: string): string {
  const chars = Array.from(text);
  if (chars.length <= LOGGED_CLIENT_TEXT_CHARS) return text;
  const cut = chars.length - LOGGED_CLIENT_TEXT_CHARS;
  return `${chars.slice(0, LOGGED_CLIENT_TEXT_CHARS).join('')}…(${cut} more)`;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Text in quotes that open after a space and close before one or at the end ("QEMU's" is no quote). */
const QUOTED = /(?<=^|[\s(])'[^']*'(?=$|[\s,;:.)])|(?<=^|[\s(])"[^"]*"(?=$|[\s,;:.)])/g;

interface Cut {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Where `pattern` matches in `text`, each with what stands in its place. */
function cutsOf(text: string, pattern: RegExp, replace: (match: string) => string): Cut[] {
  return [...text.matchAll(pattern)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    text: replace(match[0]),
  }));
}

/**
 * A refusal's reason quotes what the client named ('…' in QEMU's words, "…" in the host's): the
 * client's own strings wherever they appear whole, then anything quoted elsewhere, are bounded.
 */
function boundedReason(reason: string, supplied: readonly string[]): string {
  const long = [...new Set(supplied.filter((text) => text.length > LOGGED_CLIENT_TEXT_CHARS))];
  const texts = long.sort((a, b) => b.length - a.length).map(escaped);
  const own = texts.length > 0 ? cutsOf(reason, new RegExp(texts.join('|'), 'g'), boundedText) : [];
  const quoted = cutsOf(
    reason,
    QUOTED,
    (match) => `${match[0]}${boundedText(match.slice(1, -1))}${match[0]}`,
  );
  const cuts = [
    ...own,
    ...quoted.filter((cut) => own.every((other) => cut.end <= other.start || cut.start >= other.end)),
  ].sort((a, b) => a.start - b.start);
  let line = '';
  let at = 0;
  for (const cut of cuts) {
    line += reason.slice(at, cut.start) + cut.text;
    at = cut.end;
  }
  return line + reason.slice(at);
}

/**
 * How the event log words a refused command, whoever refused it (the host, or QMP's monitor). The
 * reply keeps the client's text whole, as QEMU's does; the log line carries at most
 * LOGGED_CLIENT_TEXT_CHARS of each piece of it, so a made-up name cannot fill the events tab.
 * @param supplied strings the client sent (its command's arguments), bounded wherever they appear
 */
export const refusedLine = (command: string, reason: string, supplied: readonly string[] = []): string =>
  `${boundedText(command)} refused: ${boundedReason(reason, [command, ...supplied])}`;
