/** How the event log words a refused command, whoever refused it (the host, or QMP's monitor). */
export const refusedLine = (command: string, reason: string): string => `${command} refused: ${reason}`;
