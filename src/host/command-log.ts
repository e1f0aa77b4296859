/** Characters of a client's own text (a QMP command name, a parameter, a host in a URI) a log line keeps. */
export const LOGGED_CLIENT_TEXT_CHARS = 40;

/** `text` whole when it is short, else its first characters and how many were cut (ASCII: the log reaches LANG=C screens). */
export function boundedText(text: string, kept = LOGGED_CLIENT_TEXT_CHARS): string {
  if (text.length <= kept) return text;
  const chars = Array.from(text);
  if (chars.length <= kept) return text;
  return `${chars.slice(0, kept).join('')}...(${chars.length - kept} more)`;
}

/** Characters of a QMP monitor's refusal reason a log line keeps (the host's own reasons are kept whole). */
export const LOGGED_REASON_CHARS = 320;

/** `reason` with each long piece of the client's own text, wherever it appears whole, bounded. */
function withClientTextBounded(reason: string, supplied: readonly string[]): string {
  const long = [...new Set(supplied)].filter((text) => text.length > LOGGED_CLIENT_TEXT_CHARS);
  // Longest first, so a name is bounded whole before a word of it is.
  long.sort((a, b) => b.length - a.length);
  let bounded = reason;
  for (const text of long) bounded = bounded.split(text).join(boundedText(text));
  return bounded;
}

const line = (command: string, reason: string) => `${command} refused: ${reason}`;

/**
 * How the event log words a command the host refused, from a key, a scenario, a fault or a
 * client. Config names are at most 31 characters (schema-primitives.ts), so a word of the label
 * longer than LOGGED_CLIENT_TEXT_CHARS is a client's (a host a QMP `migrate` named): that word is
 * bounded in the label and wherever the reason repeats it; the reason's own words stay whole.
 */
export function refusedLine(command: string, reason: string): string {
  const words = command.split(' ');
  return line(withClientTextBounded(command, words), withClientTextBounded(reason, words));
}

/**
 * How the event log words a command QMP's monitor refused before it reached the host: the name
 * and the arguments are the client's (bounded wherever they appear whole), and the reply's words
 * may quote them in part, so the reason as a whole is capped at LOGGED_REASON_CHARS.
 * @param supplied strings the client sent (its command's arguments)
 */
export function monitorRefusedLine(command: string, reason: string, supplied: readonly string[]): string {
  const bounded = withClientTextBounded(reason, [command, ...supplied]);
  return line(boundedText(command), boundedText(bounded, LOGGED_REASON_CHARS));
}
