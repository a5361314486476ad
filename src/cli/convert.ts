// `itool convert FILE --to FORMAT -o OUT`: rewrite every readable sample in another format (or the
// same one: then records come back byte-identical). Malformed records are listed on stderr with
// their line and reason and skipped; the output is written atomically, so a failed or interrupted
// run never leaves a half-written OUT behind. BFCL output is two files, OUT and
// possible_answer/OUT (the ground truth, also when converting BFCL to BFCL): both are written in
// one commit (store/commit.ts), so a killed run leaves the old pair or the new one, never new
// questions over old answers; a run without answers removes an old possible_answer/OUT.
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { batchEnd, Dataset } from '../core/dataset/dataset';
import { writtenOverLimits } from '../core/dataset/recordIndexLimits';
import { bfclGroundTruth, FORMATS } from '../core/dataset/formats/index';
import { detectJsonStyle, writeRecordText, COMPACT_STYLE } from '../core/dataset/jsonStyle';
import type { FormatId, PossibleAnswer } from '../core/dataset/sample';
import { removeStaleTemps, writeFileAtomic } from '../core/store/atomicWrite';
import { commitFiles, settleCommit } from '../core/store/commit';

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
  /** An answers file of an earlier run that this run (without answers) removed. */
  removedAnswers?: string;
}

export async function convertDataset(file: string, opts: ConvertOptions): Promise<ConvertResult> {
  // A killed run's leftovers go first, before this run spends time reading: its recorded commit is
  // completed, and its temp files (beside OUT and possible_answer/OUT) are removed.
  const answersPath = join(dirname(opts.out), 'possible_answer', basename(opts.out));
  await settleCommit(opts.out);
  for (const p of [opts.out, answersPath]) await removeStaleTemps(p);
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
      for (let from = 0, to = 0; from < ds.count; from = to) {
        to = batchEnd(ds.index, from, 2048);
        const texts = await ds.reader.readTexts(from, to);
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
          // What is written must read back: a record the target's layout makes bigger or deeper
          // than the record limits (ensure_ascii escapes, tools moved from JSON text into the
          // record) is skipped like a malformed one.
          const over = writtenOverLimits(text);
          if (over) {
            skipped.push({ line: r.line, reason: `line ${r.line}: written as ${target.label}, the ${over}` });
            continue;
          }
          if (target.id === 'bfcl') {
            // BFCL → BFCL too: the answers read from the source's possible_answer/ file.
            const gt = r.sample.possibleAnswers ?? bfclGroundTruth(r.sample);
            if (gt) answers.push({ id: r.sample.id, ground_truth: gt });
          }
          yield container === 'json-array' ? `${written === 0 ? '' : ',\n'}${text}` : `${text}\n`;
          written++;
        }
      }
      if (container === 'json-array') yield '\n]\n';
    }

    let answersFile: string | undefined;
    let removedAnswers: string | undefined;
    if (target.id === 'bfcl') {
      // BFCL keeps ground truth in a sibling file, as the leaderboard does; the two are one commit.
      // The answers are known once every record is read, so they are staged after OUT; a run with
      // none removes an earlier run's answers file (it would pair old answers with new questions).
      const existed = await stat(answersPath).then(() => true, () => false);
      await commitFiles([
        { path: opts.out, data: records() },
        { path: answersPath, data: () => (answers.length ? answers.map((a) => `${writeRecordText(a, undefined, undefined, style)}\n`).join('') : null) },
      ]);
      if (answers.length) answersFile = answersPath;
      else if (existed) removedAnswers = answersPath;
    } else await writeFileAtomic(opts.out, records());
    skipped.sort((a, b) => a.line - b.line);
    return { written, skipped, answersFile, removedAnswers };
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
      (r.removedAnswers ? ` (no answers: removed the earlier ${r.removedAnswers})` : '') +
      (r.skipped.length ? `; skipped ${r.skipped.length} malformed record(s)` : '') +
      '\n',
  );
  return 0;
}
