// `itool convert FILE --to FORMAT -o OUT [--strict]`: the CLI over the conversion engine
// (core/dataset/convert.ts). It prints what the engine reports: the loss report (stderr) before OUT
// is replaced, the malformed records skipped, and one summary line (stdout). A strict run that
// would lose data exits 1 and writes nothing.
import { ConversionRefused, convertDataset, type ConvertOptions, type ConvertResult } from '../core/dataset/convert';
import { formatLossReport } from '../core/dataset/convertLoss';
import { FORMATS } from '../core/dataset/formats/index';
import { SIDE_FIELD } from '../core/dataset/sideField';
import type { FormatId } from '../core/dataset/sample';

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
