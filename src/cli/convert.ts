// `itool convert FILE --to FORMAT -o OUT`: rewrite every readable sample in another format (or the
// same one: then records come back byte-identical). Malformed records are listed on stderr with
// their line and reason and skipped; the output is written atomically, so a failed or interrupted
// run never leaves a half-written OUT behind.
import { basename, dirname, join } from 'node:path';
import { Dataset } from '../core/dataset/dataset';
import { bfclGroundTruth, FORMATS } from '../core/dataset/formats/index';
import { detectJsonStyle, writeRecordText, COMPACT_STYLE } from '../core/dataset/jsonStyle';
import type { FormatId, PossibleAnswer } from '../core/dataset/sample';
import { writeFileAtomic } from '../core/store/atomicWrite';

export interface ConvertOptions {
  to: FormatId;
  out: string;
  container?: 'jsonl' | 'json-array';
  format?: FormatId;
}

export interface ConvertResult {
  written: number;
  skipped: { line: number; reason: string }[];
  answersFile?: string;
}

export async function convertDataset(file: string, opts: ConvertOptions): Promise<ConvertResult> {
  const ds = await Dataset.open(file, { format: opts.format });
  try {
    const target = FORMATS[opts.to];
    const sameFormat = target.id === ds.format.id;
    const container = opts.container ?? ds.index.container;
    const skipped: ConvertResult['skipped'] = ds.index.problems.map((p) => ({ line: p.line, reason: p.reason }));
    const answers: { id: string; ground_truth: PossibleAnswer[] }[] = [];
    let written = 0;
    let style = COMPACT_STYLE;
    const first = await ds.reader.parse(0).catch(() => undefined);
    if (first?.ok) style = detectJsonStyle(first.text, COMPACT_STYLE);

    async function* records(): AsyncGenerator<string> {
      if (container === 'json-array') yield '[\n';
      for (let from = 0; from < ds.count; from += 2048) {
        const texts = await ds.reader.readTexts(from, Math.min(ds.count, from + 2048));
        for (let k = 0; k < texts.length; k++) {
          const r = await ds.fromText(from + k, texts[k]);
          if (!r.ok) {
            skipped.push({ line: r.line, reason: r.reason });
            continue;
          }
          let text: string;
          if (sameFormat) {
            const original = JSON.parse(r.text) as unknown;
            text = writeRecordText(target.write(r.sample, original), r.text, original, style);
          } else {
            text = writeRecordText(target.write(r.sample), undefined, undefined, style);
          }
          if (target.id === 'bfcl' && !sameFormat) {
            const gt = r.sample.possibleAnswers ?? bfclGroundTruth(r.sample);
            if (gt) answers.push({ id: r.sample.id, ground_truth: gt });
          }
          yield container === 'json-array' ? `${written === 0 ? '' : ',\n'}${text}` : `${text}\n`;
          written++;
        }
      }
      if (container === 'json-array') yield '\n]\n';
    }

    await writeFileAtomic(opts.out, records());
    let answersFile: string | undefined;
    if (answers.length) {
      // BFCL keeps ground truth in a sibling file, as the leaderboard does.
      answersFile = join(dirname(opts.out), 'possible_answer', basename(opts.out));
      await writeFileAtomic(answersFile, answers.map((a) => `${JSON.stringify(a)}\n`).join(''));
    }
    skipped.sort((a, b) => a.line - b.line);
    return { written, skipped, answersFile };
  } finally {
    await ds.close();
  }
}

export async function convertCommand(file: string, opts: ConvertOptions): Promise<number> {
  const r = await convertDataset(file, opts);
  for (const s of r.skipped) process.stderr.write(`skipped ${s.reason.startsWith('line ') ? s.reason : `line ${s.line}: ${s.reason}`}\n`);
  process.stdout.write(
    `wrote ${r.written} sample(s) as ${FORMATS[opts.to].label} to ${opts.out}` +
      (r.answersFile ? ` (answers in ${r.answersFile})` : '') +
      (r.skipped.length ? `; skipped ${r.skipped.length} malformed record(s)` : '') +
      '\n',
  );
  return 0;
}
