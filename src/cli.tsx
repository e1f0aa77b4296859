#!/usr/bin/env node
import {badInput} from './app/bad-input.js';
import {parseArgs} from './app/parse-args.js';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), import.meta);
  if (args.mode === 'error') badInput(args.message);
  // The rest (the world's schema, YAML, the simulation) loads only now: --help and --version,
  // answered inside parseArgs, load none of it (#17).
  const {runCommand} = await import('./app/run-command.js');
  await runCommand(args);
}

await main();
