// `itool check` and `itool reward` on their own (dist/itool-check.js, loaded by dist/cli.js for
// these two commands): the checker, the dataset readers and the reward service, nothing else, so
// that a process that checks a file or serves rewards starts in a few milliseconds.
import { runCli, UsageError } from './args';
import { CHECK_USAGE, checkMain } from './check';
import { REWARD_USAGE, rewardMain } from './reward';

const USAGE = `itool: tool-use dataset workbench (iTool Studio)\n\nUsage:\n${CHECK_USAGE}${REWARD_USAGE}\nitool --help lists every command.\n`;

function main([command, ...rest]: string[]): Promise<number> {
  if (command === 'check') return checkMain(rest);
  if (command === 'reward') return rewardMain(rest);
  return Promise.reject(new UsageError(`this bundle runs check and reward, not "${command ?? ''}"`));
}

export function run(argv: string[]): void {
  runCli(main, argv, USAGE);
}
