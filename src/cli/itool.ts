// `itool`: the command line over the same core the extension uses (no VS Code needed).
//   itool inspect FILE [--format F] [--json]
//   itool convert FILE --to FORMAT -o OUT [--container jsonl|json-array]
import { parseArgs } from 'node:util';
import { inspectCommand } from './inspect';
import { convertCommand } from './convert';
import { FORMAT_IDS } from '../core/dataset/sample';

const USAGE = `itool: tool-use dataset workbench (iTool Studio)

Usage:
  itool inspect FILE [--format FORMAT] [--json]
      Format, sample count, malformed records (line and reason), tool and call statistics.
  itool convert FILE --to FORMAT -o OUT [--container jsonl|json-array] [--format FORMAT]
      Convert every readable sample; malformed records are listed and skipped.

Formats: ${FORMAT_IDS.join(', ')} (detected when --format is not given)
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string', short: 'o' },
      container: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (!file) throw new UsageError(`${command}: missing FILE`);
  switch (command) {
    case 'inspect':
      return inspectCommand(file, { format: formatArg(values.format), json: !!values.json });
    case 'convert': {
      const to = formatArg(values.to);
      if (!to) throw new UsageError('convert: --to FORMAT is required');
      if (!values.out) throw new UsageError('convert: -o OUT is required');
      const container = values.container;
      if (container !== undefined && container !== 'jsonl' && container !== 'json-array') {
        throw new UsageError(`convert: --container must be jsonl or json-array, not "${container}"`);
      }
      return convertCommand(file, { to, out: values.out, container, format: formatArg(values.format) });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

export class UsageError extends Error {}

function formatArg(v: string | undefined): (typeof FORMAT_IDS)[number] | undefined {
  if (v === undefined) return undefined;
  const f = FORMAT_IDS.find((id) => id === v);
  if (!f) throw new UsageError(`unknown format "${v}"; expected one of ${FORMAT_IDS.join(', ')}`);
  return f;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`itool: ${msg}\n${err instanceof UsageError ? `\n${USAGE}` : ''}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
