// One `itool` command as the tables of itool.ts (every command) and checkEntry.ts (check and
// reward alone) hold it, and what runs one: its --help, its arguments parsed against its own
// options only, then its `run`. Kept apart from itool.ts and light (node:util and args.ts only),
// so that the checker's own bundle shares it without loading the whole CLI.
import { parseArgs } from 'node:util';
import { commandArgs, UsageError, type Options } from './args';

/** The values parseArgs gives for `O`: a string, a boolean or a list per option, as declared. */
export type Values<O extends Options> = ReturnType<typeof commandArgs<O>>['values'];

export interface Command<O extends Options = Options> {
  /** What follows `itool`. */
  readonly name: string;
  /**
   * Its entries in the usage: lines starting `  itool NAME`, their descriptions indented further;
   * ends with a newline. `itool --help` is every command's, in the table's order.
   */
  readonly usage: string;
  /** Every option it takes; any other is refused, naming it (commandValues). */
  readonly options: O;
  /** How its messages name it, when not by `name` alone (`reward serve`). */
  readonly label?: string;
  /** The arguments rewritten (or refused) before parsing, for what parseArgs cannot express (review's lists of ids). */
  prepare?(args: string[]): string[];
  /**
   * The usage to print for `args` (what follows the name), when it is not all of `usage`: a
   * command with subcommands (`itool round start --help`) shows the one asked about.
   */
  usageFor?(args: string[]): string | undefined;
  run(values: Values<O>, positionals: string[]): Promise<number>;
}

/** A command whose `run` sees values typed by its own options. */
export const defineCommand = <const O extends Options>(command: Command<O>): Command<O> => command;

/** What `itool NAME [ARGS] --help` prints: the command's usage, or the part of it ARGS ask about. */
export const commandHelp = (command: Command, args: string[] = []): string => `Usage:\n${command.usageFor?.(args) ?? command.usage}`;

/** The usage printed after a usage error: the command's own, when the command line names one of `commands`. */
export function usageAfterError(commands: readonly Command[], argv: string[]): string | undefined {
  const command = commands.find((c) => c.name === argv[0]);
  return command && `${commandHelp(command, argv.slice(1))}\nitool --help lists every command.\n`;
}

/**
 * The options and positionals of `args` (what follows the command's name). An option the command
 * does not take is a usage error that names it: every command used to accept all of them and
 * ignore most, so `itool inspect f --to x` said nothing while --to did nothing.
 */
export function commandValues<O extends Options>(command: Command<O>, args: string[]): { values: Values<O>; positionals: string[] } {
  const label = command.label ?? command.name;
  // parseArgs's own refusal ("Unknown option '--to'. To specify a positional argument …") does not
  // say which command refuses it; a lenient pass over the same arguments finds the first such option.
  const { tokens } = parseArgs({ args, options: command.options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'option' && !Object.hasOwn(command.options, t.name)) throw new UsageError(`${label} does not take ${t.rawName}`);
  }
  return commandArgs(label, args, command.options);
}

/** Run `command` on the arguments after its name: its usage when they ask for help, else its `run`. */
export function runCommand(command: Command, args: string[]): Promise<number> {
  // --help anywhere wins, before anything is checked: `itool convert x.json --help` is a question.
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(commandHelp(command, args));
    return Promise.resolve(0);
  }
  const { values, positionals } = commandValues(command, command.prepare ? command.prepare(args) : args);
  return command.run(values, positionals);
}
