// `itool check` and `itool reward` on their own (dist/itool-check.js, loaded by dist/cli.js for
// these two commands): the checker, the dataset readers and the reward service, nothing else, so
// that a process that checks a file or serves rewards starts in a few milliseconds. The commands
// are the same table entries itool.ts lists; only this table is shorter.
import { runCli, UsageError } from './args';
import { checkCli } from './check';
import { runCommand, usageAfterError, type Command } from './command';
import { rewardCli } from './reward';

const COMMANDS: readonly Command[] = [checkCli, rewardCli];

function main([command, ...rest]: string[]): Promise<number> {
  const entry = COMMANDS.find((c) => c.name === command);
  if (!entry) return Promise.reject(new UsageError(`this bundle runs check and reward, not "${command ?? ''}"`));
  return runCommand(entry, rest);
}

export function run(argv: string[]): void {
  runCli(main, argv, (a) => usageAfterError(COMMANDS, a) ?? 'itool --help describes every command.\n');
}
