// `itool`: the command line over the same core the extension uses (no VS Code needed). Each command
// is one entry of the table below, defined beside its implementation (command.ts says what an
// entry holds): its usage, the options it takes (any other is refused), and its run. This file only
// dispatches: `itool --help` (every entry's usage, in the table's order), `itool --version`,
// `itool COMMAND [--help]`. dist/cli.js loads this bundle for every command but check and reward,
// which start from their own (checkEntry.ts, the same two entries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_IDS } from '../core/dataset/sample';
import { runCli, UsageError } from './args';
import { calibrateCli } from './calibrate';
import { checkCli } from './check';
import { commandHelp, runCommand, usageAfterError, type Command } from './command';
import { convertCli } from './convert';
import { exploreCli } from './explore';
import { exportCli } from './export';
import { inspectCli } from './inspect';
import { loopCli } from './loop';
import { loopReportCli } from './loopReport';
import { renderCli } from './render';
import { reviewCli } from './review';
import { roundCli } from './round';
import { rewardCli } from './reward';
import { synthCli } from './synth';
import { trainDataCli } from './trainData';

/** Every command, in the order the usage lists them (a workflow's order: look, judge, calibrate, search, train). */
export const COMMANDS: readonly Command[] = [
  inspectCli,
  convertCli,
  checkCli,
  rewardCli,
  renderCli,
  calibrateCli,
  exploreCli,
  exportCli,
  reviewCli,
  roundCli,
  loopCli,
  loopReportCli,
  synthCli,
  trainDataCli,
];

export const USAGE = `itool: tool-use dataset workbench (iTool Studio)

Usage:
${COMMANDS.map((c) => c.usage).join('')}
Formats: ${FORMAT_IDS.join(', ')} (detected when --format is not given)
`;

/** What `itool COMMAND --help` prints: `Usage:` and that command's entries. */
export function commandUsage(command: string): string {
  const entry = COMMANDS.find((c) => c.name === command);
  if (!entry) throw new Error(`no command "${command}"`);
  return commandHelp(entry);
}

/** The version in the package.json beside dist/ (the repository's, or the installed extension's). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`itool ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === command);
  if (!entry) throw new UsageError(`unknown command "${command}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (itool --help describes them)`);
  return runCommand(entry, rest);
}

export { UsageError };

/** Run `argv` (the arguments after `itool`) as the process (dist/cli.js loads this bundle for every command but check and reward). */
export function run(argv: string[]): void {
  // After a usage error: the command's own usage; for an unknown command, only where to look (the
  // message lists the commands); for a mistake in the options of `itool` itself, all of it.
  runCli(main, argv, (a) => usageAfterError(COMMANDS, a) ?? (a[0] && !a[0].startsWith('-') ? 'itool --help describes every command.\n' : USAGE));
}

if (require.main === module) run(process.argv.slice(2));
