/** One line on stderr and exit code 2: bad flags, config or scenario. */
export function badInput(message: string): never {
  process.stderr.write(`svmtop: ${message}\n`);
  process.exit(2);
}
