// `itool inspect FILE`: one full pass over the file that reports what a user wants to know before
// training on it — format, counts, every malformed record with its line and reason, and how
// tools and calls are distributed.
import { Dataset } from '../core/dataset/dataset';
import { answerKind } from '../core/dataset/row';
import { referenceTurn, type FormatId } from '../core/dataset/sample';
import type { TurnsMode } from '../core/dataset/answers';
import { settleRecordedCommit } from '../core/store/commit';
import { formatArg, turnsArg, UsageError } from './args';
import { defineCommand } from './command';

export interface InspectReport {
  file: string;
  format: FormatId;
  formatLabel: string;
  container: string;
  sizeBytes: number;
  records: number;
  /** Samples the readable records yield (one per assistant answer, or per record with --turns last). */
  samples: number;
  /** Readable records. */
  readable: number;
  /** Records that yield more than one sample (conversations with several answers). */
  multiAnswer: number;
  turns: TurnsMode;
  malformed: { line: number; reason: string }[];
  answers: { calls: number; text: number; none: number };
  tools: { min: number; max: number; mean: number };
  calls: { total: number; parallel: number; distinctFunctions: number };
  indexMs: number;
}

export async function inspectDataset(file: string, opts: { format?: FormatId; turns?: TurnsMode } = {}): Promise<InspectReport> {
  await settleRecordedCommit(file);
  const ds = await Dataset.open(file, { format: opts.format, turns: opts.turns });
  try {
    const malformed: InspectReport['malformed'] = ds.index.problems.map((p) => ({ line: p.line, reason: p.reason }));
    const answers = { calls: 0, text: 0, none: 0 };
    let toolMin = Infinity;
    let toolMax = 0;
    let toolSum = 0;
    let samples = 0;
    let readable = 0;
    let multiAnswer = 0;
    let callTotal = 0;
    let parallel = 0;
    const functions = new Set<string>();
    await ds.scan((i, text) =>
      ds.fromText(i, text).then((r) => {
        if (!r.ok) {
          malformed.push({ line: r.line, reason: r.reason });
          return;
        }
        readable++;
        if (r.samples.length > 1) multiAnswer++;
        for (const s of r.samples) {
          samples++;
          answers[answerKind(s)]++;
          toolMin = Math.min(toolMin, s.tools.length);
          toolMax = Math.max(toolMax, s.tools.length);
          toolSum += s.tools.length;
          const calls = referenceTurn(s)?.calls ?? [];
          callTotal += calls.length;
          if (calls.length > 1) parallel++;
          for (const c of calls) functions.add(c.name);
        }
      }),
    );
    malformed.sort((a, b) => a.line - b.line);
    return {
      file,
      format: ds.format.id,
      formatLabel: ds.format.label,
      container: ds.index.container,
      sizeBytes: ds.index.size,
      records: ds.count,
      samples,
      readable,
      multiAnswer,
      turns: ds.turns,
      malformed,
      answers,
      tools: { min: samples ? toolMin : 0, max: toolMax, mean: samples ? toolSum / samples : 0 },
      calls: { total: callTotal, parallel, distinctFunctions: functions.size },
      indexMs: Math.round(ds.indexMs),
    };
  } finally {
    await ds.close();
  }
}

export async function inspectCommand(file: string, opts: { format?: FormatId; turns?: TurnsMode; json: boolean }): Promise<number> {
  const r = await inspectDataset(file, opts);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `file        ${r.file}`,
    `format      ${r.formatLabel} (${r.format}), ${r.container === 'jsonl' ? 'JSON Lines' : 'JSON array'}, ${r.sizeBytes.toLocaleString('en-US')} bytes`,
    `records     ${r.readable.toLocaleString('en-US')} readable of ${r.records.toLocaleString('en-US')}` +
      (r.multiAnswer ? `, ${r.multiAnswer.toLocaleString('en-US')} with several answers` : ''),
    `samples     ${r.samples.toLocaleString('en-US')} (${r.turns === 'each' ? 'one per assistant answer' : 'the last answer of each record'})`,
    `malformed   ${r.malformed.length}`,
    ...r.malformed.slice(0, 50).map((m) => `  ${m.reason.startsWith('line ') ? m.reason : `line ${m.line}: ${m.reason}`}`),
    ...(r.malformed.length > 50 ? [`  … and ${r.malformed.length - 50} more (use --json for all)`] : []),
    `answers     ${r.answers.calls} call a tool, ${r.answers.text} answer in text, ${r.answers.none} without reference`,
    `tools       ${r.tools.min === r.tools.max ? r.tools.min : `${r.tools.min}–${r.tools.max}`} per sample, mean ${r.tools.mean.toFixed(2)}`,
    `calls       ${r.calls.total} in reference answers, ${r.calls.parallel} samples with parallel calls, ${r.calls.distinctFunctions} distinct functions`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const inspectCli = defineCommand({
  name: 'inspect',
  usage: `  itool inspect FILE [--format FORMAT] [--turns each|last] [--json]
      Format, record and sample counts, malformed records (line and reason), tool and call statistics.
      --turns (inspect, check, render, calibrate): a conversation with several assistant answers
      is one sample per answer, ids ID#k, k from 0 (each, the default), or only its last (last).
`,
  options: { format: { type: 'string' }, turns: { type: 'string' }, json: { type: 'boolean' } },
  run(values, [file]) {
    if (!file) throw new UsageError('inspect: missing FILE');
    return inspectCommand(file, { format: formatArg(values.format), turns: turnsArg(values.turns), json: !!values.json });
  },
});
