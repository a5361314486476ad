// `itool convert FILE --to FORMAT -o OUT [--strict]`: the CLI over the conversion engine
// (core/dataset/convert.ts). It prints what the engine reports: the loss report (stderr) before OUT
// is replaced, the malformed records skipped, and one summary line (stdout). A strict run that
// would lose data exits 1 and writes nothing.
import { ConversionRefused, convertDataset, type ConvertOptions, type ConvertResult } from '../core/dataset/convert';
import { formatLossReport } from '../core/dataset/convertLoss';
import { FORMATS } from '../core/dataset/formats/index';
import { SIDE_FIELD } from '../core/dataset/sideField';
import type { FormatId } from '../core/dataset/sample';
import { formatArg, UsageError } from './args';
import { defineCommand } from './command';

export { convertDataset, type ConvertOptions, type ConvertResult };

const LABELS = Object.fromEntries(Object.values(FORMATS).map((f) => [f.id, f.label])) as Record<FormatId, string>;

export async function convertCommand(file: string, opts: ConvertOptions): Promise<number> {
  let r: ConvertResult;
  try {
    r = await convertDataset(file, { ...opts, onReport: (report) => void process.stderr.write(formatLossReport(report, LABELS, SIDE_FIELD)) });
  } catch (err) {
    if (!(err instanceof ConversionRefused)) throw err;
    process.stderr.write(`refused (--strict): ${err.message}\n`);
    return 1;
  }
  for (const s of r.skipped) process.stderr.write(`skipped ${s.reason.startsWith('line ') ? s.reason : `line ${s.line}: ${s.reason}`}\n`);
  const lost = r.report.lossyRecords ? `; ${r.report.lossyRecords} record(s) lost data (listed above)` : '';
  process.stdout.write(
    `wrote ${r.written} sample(s) as ${FORMATS[opts.to].label} to ${opts.out}` +
      (r.answersFile ? ` (answers in ${r.answersFile})` : '') +
      (r.removedAnswers ? ` (no answers: removed the earlier ${r.removedAnswers})` : '') +
      lost +
      (r.skipped.length ? `; skipped ${r.skipped.length} malformed record(s)` : '') +
      '\n',
  );
  return 0;
}

export const convertCli = defineCommand({
  name: 'convert',
  usage: `  itool convert FILE --to FORMAT -o OUT [--container jsonl|json-array] [--format FORMAT] [--strict]
      Convert every readable sample; malformed records are listed and skipped. What the target
      cannot hold is reported first (per kind: counts, the first records by line and id); a
      target that tolerates it keeps the source record in an "itool_source" field, so converting
      back restores it. --strict: refuse (exit 1, nothing written) when anything would be lost.
`,
  options: {
    to: { type: 'string' },
    out: { type: 'string', short: 'o' },
    container: { type: 'string' },
    format: { type: 'string' },
    strict: { type: 'boolean' },
  },
  run(values, [file]) {
    if (!file) throw new UsageError('convert: missing FILE');
    const to = formatArg(values.to);
    if (!to) throw new UsageError('convert: --to FORMAT is required');
    if (!values.out) throw new UsageError('convert: -o OUT is required');
    const container = values.container;
    if (container !== undefined && container !== 'jsonl' && container !== 'json-array') {
      throw new UsageError(`convert: --container must be jsonl or json-array, not "${container}"`);
    }
    return convertCommand(file, { to, out: values.out, container, format: formatArg(values.format), strict: !!values.strict });
  },
});
