/** Characters of a client's own text (a QMP command name, a parameter, a host in a URI) a log line keeps. */
export const LOGGED_CLIENT_TEXT_CHARS = 40;

/** `text` whole when it is short, else its first characters and how many were cut. */
export function boundedText(text: string, kept = LOGGED_CLIENT_TEXT_CHARS): string {
  if (text.length <= kept) return text;
  const chars = Array.from(text);
  if (chars.length <= kept) return text;
  return `${chars.slice(0, kept).join('')}…(${chars.length - kept} more)`;
}

/** Characters of a refusal's reason a log line keeps: past the longest reason svmtop itself writes. */
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

/**
 * How the event log words a refused command, whoever refused it (the host, or QMP's monitor). The
 * reply keeps the client's text whole, as QEMU's does; the log line carries at most
 * LOGGED_CLIENT_TEXT_CHARS of each piece of it, found as the client wrote it (its command's
 * arguments, and the words of the command's label, which names what the client asked for), never
 * by reading the reason's words; and at most LOGGED_REASON_CHARS of the reason as a whole.
 * @param supplied strings the client sent (its command's arguments), bounded wherever they appear
 */
export const refusedLine = (command: string, reason: string, supplied: readonly string[] = []): string => {
  const clientText = [command, ...command.split(' '), ...supplied];
  return `${boundedText(command)} refused: ${boundedText(withClientTextBounded(reason, clientText), LOGGED_REASON_CHARS)}`;
};
