// Argument helpers shared by every `itool` command. Kept apart from itool.ts so that the commands
// bundled on their own (check, reward: dist/itool-check.js) do not load the whole CLI.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TURNS_MODES, type TurnsMode } from '../core/dataset/answers';
import { FORMAT_IDS, type FormatId } from '../core/dataset/sample';
import { BFCL_CATEGORIES, bfclCategory, type BfclCategory } from '../core/toolcall/check/index';

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** A parseArgs options table. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs for one command, its mistakes (an unknown option, a missing value) as usage errors. */
export function commandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(`${command}: ${(err as Error).message}`);
    throw err;
  }
}

export const whole = (min: number) => (x: number): boolean => Number.isInteger(x) && x >= min;

/** A numeric option: undefined when absent, else its value, or a usage error naming the command and option. */
export function numberArg(command: string, name: string, v: string | undefined, ok: (x: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !ok(x)) throw new UsageError(`${command}: --${name} "${v}" is out of range`);
  return x;
}

/** A BFCL category name; BFCL's own file stems are accepted too (simple_python → simple). */
export function categoryArg(v: string | undefined): BfclCategory | undefined {
  if (v === undefined) return undefined;
  const c = bfclCategory(v.replace(/^BFCL_v\d+_/, '').replace(/\.json$/, ''));
  if (!c) throw new UsageError(`unknown BFCL category "${v}"; expected one of ${BFCL_CATEGORIES.join(', ')}`);
  return c;
}

/** --turns each|last: every assistant answer a sample (default), or each record's last answer. */
export function turnsArg(v: string | undefined): TurnsMode | undefined {
  if (v === undefined) return undefined;
  const t = TURNS_MODES.find((m) => m === v);
  if (!t) throw new UsageError(`--turns must be ${TURNS_MODES.join(' or ')}, not "${v}"`);
  return t;
}

export function formatArg(v: string | undefined): FormatId | undefined {
  if (v === undefined) return undefined;
  const f = FORMAT_IDS.find((id) => id === v);
  if (!f) throw new UsageError(`unknown format "${v}"; expected one of ${FORMAT_IDS.join(', ')}`);
  return f;
}

/**
 * Resolves once everything written to `s` so far has been handed to the OS. Writes to a pipe are
 * asynchronous: what a full pipe (64 KiB) did not take yet waits in the stream's queue, and
 * process.exit() drops it. An empty write's callback runs after every earlier write's.
 */
function flushed(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed || s.writableEnded) resolve();
    else s.write('', () => resolve());
  });
}

/** Exit with `code` once stdout and stderr are flushed, whatever command ran and whatever it left open. */
async function exitWhenFlushed(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/**
 * Run a command line as the process: its exit code, `itool: message` on failure (with `usage`
 * after a usage error, exit 2; else exit 1). `main` returning never ends the process by itself
 * when it leaves a server listening: such a command resolves only when it is done.
 */
/** A file system error as a sentence naming the path ("cannot read X: no such file"), else undefined. */
export function fileErrorMessage(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string') return undefined;
  const why: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder, not a file',
    ENOTDIR: 'a part of the path is not a folder',
    EMFILE: 'too many open files',
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
  };
  const reason = why[e.code];
  if (!reason) return undefined;
  return typeof e.path === 'string' ? `cannot open ${e.path}: ${reason}` : `${reason} (${e.code})`;
}

export function runCli(main: (argv: string[]) => Promise<number>, argv: string[], usageOf: string | ((argv: string[]) => string)): void {
  // A usage error shows the usage of the command that was run, not every command's.
  const usage = typeof usageOf === 'string' ? usageOf : usageOf(argv);
  // A reader that goes away (`itool check --json | head -1`) is not an error of the command: the
  // rest of its output has nowhere to go, and the command finishes with its own exit code.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  // A usage error thrown before main returns its promise is reported the same way.
  new Promise<number>((resolve) => resolve(main(argv))).then(
    (code) => exitWhenFlushed(code),
    (err: unknown) => {
      const msg = fileErrorMessage(err) ?? (err instanceof Error ? err.message : String(err));
      process.stderr.write(`itool: ${msg}\n${err instanceof UsageError ? `\n${usage}` : ''}`);
      return exitWhenFlushed(err instanceof UsageError ? 2 : 1);
    },
  );
}
