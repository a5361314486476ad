// `itool export [PAIRS] --dataset FILE --target llamafactory|trl|openai -o DIR [--state S]`: the
// preference pairs a round would train on, as a trainer's dataset plus its config. The pairs are
// PAIRS (the JSON Lines `itool explore -o` wrote) or, without it, the newest search beside the
// dataset and the hand-made pairs of corrected marks; each is taken or left out by its review
// decision (DATASET.itool/review/review.jsonl, through the same trainedPairs the rounds use):
// --state accepted (default) takes the accepted and edited ones, edits applied, and says how many
// were left out and why; --state all takes every pair. Lines or pairs that cannot be exported
// are listed with their reason; the rest are written.
// `itool export --curriculum SELECTION --dataset FILE --target … -o DIR`: the warm-up curriculum
// (easy → medium → hard SFT stages) from the calibration the selection was made from, as the
// palette's `iTool: Export Warm-up Curriculum` writes it.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCalibration } from '../core/calibrate/calibrate';
import type { CallRenderingSetting } from '../core/model/callRendering';
import { readSelection, type SelectionFile } from '../core/calibrate/selectionFile';
import { Dataset, type OpenOptions } from '../core/dataset/dataset';
import { scrubUrlsIn } from '../core/model/openai/endpointUrl';
import { curriculumStages, exportCurriculum, exportPairs, STAGES, type ExportResult, type ExportTarget, type PrefLoss, type SkippedRecord } from '../core/pairs/export/index';
import type { PreferencePair } from '../core/search/types';
import { leftOutText, PAIR_STATE_FILTERS, trainedPairs, type PairStateFilter } from '../core/rounds/trainedPairs';
import { UsageError } from './args';
import { callsArg } from './callsArg';
import { defineCommand } from './command';

export interface ExportCommandArgs {
  /** PreferencePair JSON Lines; undefined: the newest search beside the dataset and the hand-made pairs. */
  pairsFile?: string;
  /** Which pairs by their review decision (default 'accepted': accepted and edited, edits applied). */
  state?: PairStateFilter;
  dataset: string;
  target: ExportTarget;
  out: string;
  prefLoss?: PrefLoss;
  baseModel?: string;
  template?: string;
  /** Dataset name / file stem (default 'itool_pairs'). */
  name?: string;
  /** How calls are written: the rendering calibration and the search used (default auto). */
  calls?: CallRenderingSetting;
}

export interface CurriculumCommandArgs {
  /** The selection file `itool calibrate -o` wrote: its model, round, tier cuts and call rendering. */
  selection: string;
  dataset: string;
  target: ExportTarget;
  out: string;
  baseModel?: string;
  template?: string;
  /** Dataset name / file stem (default 'itool_warmup'). */
  name?: string;
  /** Default: the selection's (the rendering calibration scored with). */
  calls?: CallRenderingSetting;
}

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isSide = (v: unknown): boolean => isObj(v) && typeof v.text === 'string';

/** Enough of a PreferencePair to export: what identifies the sample and the two responses. */
function asPair(v: unknown): PreferencePair | undefined {
  if (!isObj(v) || typeof v.sampleId !== 'string' || typeof v.prefix !== 'string' || !isSide(v.chosen) || !isSide(v.rejected)) return undefined;
  return v as unknown as PreferencePair;
}

export function readPairLines(text: string): { pairs: PreferencePair[]; skipped: SkippedRecord[] } {
  const pairs: PreferencePair[] = [];
  const skipped: SkippedRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return void skipped.push({ sampleId: `line ${i + 1}`, reason: 'not valid JSON' });
    }
    const p = asPair(v);
    if (p) pairs.push(p);
    else skipped.push({ sampleId: `line ${i + 1}`, reason: 'not a preference pair (needs sampleId, prefix, chosen.text, rejected.text)' });
  });
  return { pairs, skipped };
}

/** A command for display only: never run through a shell. */
const shown = (argv: readonly string[]): string => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

/** The report both exports print: counts, skips, files, commands, notes; warnings also on stderr. */
function report(result: ExportResult, head: string, allSkipped: readonly SkippedRecord[], io: CommandIo): void {
  const out = [head];
  for (const k of allSkipped.slice(0, 20)) out.push(`  ${k.sampleId}: ${k.reason}`);
  if (allSkipped.length > 20) out.push(`  ... and ${allSkipped.length - 20} more`);
  result.files.forEach((f, k) => out.push(`${k === 0 ? 'files       ' : '            '}${f}`));
  for (const c of result.commands) out.push(`run         ${shown(c)}`);
  for (const n of result.notes) out.push(`note        ${n}`);
  io.stdout(`${out.join('\n')}\n`);
  // Warnings make the training wrong unless acted on: on stderr too, where a piped stdout does not hide them.
  for (const w of result.warnings) io.stderr(`itool export: warning: ${w}\n`);
}

export async function exportCommand(args: ExportCommandArgs, io: CommandIo): Promise<number> {
  let lines: { pairs: PreferencePair[]; skipped: SkippedRecord[] } | undefined;
  if (args.pairsFile !== undefined) {
    try {
      lines = readPairLines(await readFile(args.pairsFile, 'utf8'));
    } catch (err) {
      io.stderr(`itool export: cannot read ${args.pairsFile}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const state = args.state ?? 'accepted';
  return onDataset(args.dataset, {}, io, async (ds) => {
    // A pairs file is exported as it is; the dataset's own pairs include the hand-made ones.
    const picked = await trainedPairs(ds, { state, pairs: lines?.pairs, manual: lines === undefined });
    for (const d of picked.damaged) io.stderr(`itool export: note: review journal ${d.line !== undefined ? `line ${d.line}` : `entry ${d.entry}`}: ${d.reason} (skipped)\n`);
    const c = picked.counts;
    if (c.total === 0 && !lines?.skipped.length) {
      const where = lines ? `in ${args.pairsFile}` : picked.explore ? `in the newest search beside ${ds.path} (${picked.explore.path})` : `beside ${ds.path}: no search results (itool explore first) and no hand-made pairs`;
      io.stderr(`itool export: no pairs ${where}\n`);
      return 1;
    }
    const left = leftOutText(picked.leftOut);
    if (picked.pairs.length + picked.skipped.length === 0 && c.total > 0) {
      const hint = state === 'accepted' ? 'accept pairs in review (itool review --accept ID…, or the panel), or give --state all to export every pair' : 'give another --state';
      io.stderr(`itool export: no ${state} pairs to export (${left} of ${c.total}): ${hint}\n`);
      return 1;
    }
    const result = await exportPairs(picked.pairs, { target: args.target, outDir: args.out, name: args.name, prefLoss: args.prefLoss, baseModel: args.baseModel, template: args.template, calls: args.calls });
    const allSkipped = [...(lines?.skipped ?? []), ...picked.skipped, ...result.skipped];
    const taken = picked.pairs.length + picked.skipped.length;
    const review = `review      ${state}: ${taken} of ${c.total} pair(s)${picked.manual ? ` (${picked.manual} hand-made)` : ''}${left ? `; left out by review: ${left}${state === 'accepted' ? ' (--state all exports every pair)' : ''}` : ''}`;
    report(result, `export      ${result.target}: ${result.records} pair(s) written, ${allSkipped.length} skipped\n${review}`, allSkipped, io);
    return result.records > 0 ? 0 : 1;
  });
}

/** `run` on the opened dataset: any failure is one `itool export:` line and exit 1; the dataset is closed either way. */
async function onDataset(path: string, opts: OpenOptions, io: CommandIo, run: (ds: Dataset) => Promise<number>): Promise<number> {
  let ds: Dataset | undefined;
  try {
    ds = await Dataset.open(path, opts);
    return await run(ds);
  } catch (err) {
    io.stderr(`itool export: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ds?.close();
  }
}

export async function exportCurriculumCommand(args: CurriculumCommandArgs, io: CommandIo): Promise<number> {
  let sel: SelectionFile;
  try {
    sel = await readSelection(args.selection);
  } catch (err) {
    io.stderr(`itool export: cannot read the selection ${args.selection}: ${(err as Error).message}\n`);
    return 1;
  }
  // The dataset opens as it was calibrated: the same samples, the same ids.
  return onDataset(args.dataset, { turns: sel.turns ?? 'last' }, io, async (ds) => {
    if (sel.dataset && resolve(sel.dataset) !== resolve(args.dataset)) io.stderr(`itool export: note: the selection was made for ${sel.dataset}\n`);
    const cal = await loadCalibration(ds, sel.model, sel.round);
    if (!cal) {
      io.stderr(`itool export: no calibration of ${scrubUrlsIn(sel.modelLabel || sel.model)} (round ${sel.round}) for ${ds.path}: run itool calibrate on it first (or the dataset changed since)\n`);
      return 1;
    }
    const { stages, skipped } = (await curriculumStages(cal.entries, sel.cuts, (i, answer) => ds.sample(i, answer)))!;
    const result = await exportCurriculum(stages, { target: args.target, outDir: args.out, name: args.name, baseModel: args.baseModel, template: args.template, calls: args.calls ?? sel.calls ?? 'auto' });
    const allSkipped = [...skipped, ...result.skipped];
    const counts = STAGES.map((s) => `${s} ${stages[s].length}`).join(', ');
    report(result, `curriculum  ${result.target}: ${result.records} sample(s) written (tiers: ${counts}), ${allSkipped.length} skipped`, allSkipped, io);
    return result.records > 0 ? 0 : 1;
  });
}

export const exportCli = defineCommand({
  name: 'export',
  usage: `  itool export [PAIRS] --dataset DATASET --target llamafactory|trl|openai -o DIR
                  [--state accepted|all|pending|rejected|skipped] [--pref-loss simpo|sigmoid|orpo|ipo]
                  [--base-model M] [--template T] [--name N] [--calls auto|text|template]
      Reviewed preference pairs as training data for a trainer: PAIRS (JSON Lines from itool
      explore -o) or, without it, the newest search beside DATASET and the hand-made pairs.
      --state accepted (default): the pairs review accepted or edited (edits applied), as a
      round trains on; the output says how many were left out (pending, rejected, skipped);
      all: every pair; pending, rejected, skipped: the pairs in that state. Targets:
      LLaMA-Factory (sharegpt ranking + dataset_info.json + a stage: dpo YAML, SimPO with the
      authors' beta 2.5, gamma 0.5, lr 1e-6 by default), TRL (conversational JSONL + config +
      launch script for TRL 0.24 to 1.x), OpenAI preference fine-tuning JSONL. --calls: the
      rendering calibration used (default auto): calls in prompts and pair sides are written
      that way (text: as written; template: LLaMA-Factory function_call / TRL tool_calls).
      LLaMA-Factory needs a template: --template, or a --base-model whose name gives it (qwen,
      llama3, ...); without either the YAML has none and a warning says so.
  itool export --curriculum SELECTION --dataset DATASET --target llamafactory|trl|openai -o DIR
                  [--base-model M] [--template T] [--name N] [--calls auto|text|template]
      The warm-up curriculum: every calibrated sample in its perplexity tier (the cuts of the
      SELECTION itool calibrate -o wrote), as easy -> medium -> hard SFT stages, each starting
      from the one before, and curriculum.json with the order. --calls defaults to the selection's.
`,
  options: {
    curriculum: { type: 'string' },
    dataset: { type: 'string' },
    out: { type: 'string', short: 'o' },
    target: { type: 'string' },
    'pref-loss': { type: 'string' },
    'base-model': { type: 'string' },
    template: { type: 'string' },
    name: { type: 'string' },
    calls: { type: 'string' },
    state: { type: 'string' },
  },
  run(values, [pairsFile, ...extra]) {
    const curriculum = values.curriculum;
    if (curriculum !== undefined && pairsFile) throw new UsageError('export: give PAIRS or --curriculum SELECTION, not both');
    if (extra.length) throw new UsageError(`export: unexpected ${JSON.stringify(extra[0])} (one PAIRS file at most)`);
    const state = values.state;
    if (state !== undefined && !PAIR_STATE_FILTERS.includes(state as PairStateFilter)) throw new UsageError(`export: --state must be one of ${PAIR_STATE_FILTERS.join(', ')}, not "${state}"`);
    if (!values.dataset) throw new UsageError(`export: --dataset FILE is required (the dataset the ${curriculum === undefined ? 'pairs were searched on' : 'selection was calibrated on'})`);
    if (!values.out) throw new UsageError('export: -o DIR is required');
    const target = values.target;
    if (target !== 'llamafactory' && target !== 'trl' && target !== 'openai') throw new UsageError(`export: --target must be llamafactory, trl or openai, not "${target ?? ''}"`);
    const loss = values['pref-loss'];
    if (loss !== undefined && !['simpo', 'sigmoid', 'orpo', 'ipo'].includes(loss)) throw new UsageError(`export: --pref-loss must be simpo, sigmoid, orpo or ipo, not "${loss}"`);
    const calls = values.calls === undefined ? undefined : callsArg('export', values.calls);
    const io = { stdout: (t: string) => void process.stdout.write(t), stderr: (t: string) => void process.stderr.write(t) };
    if (curriculum !== undefined) {
      if (!curriculum) throw new UsageError('export: --curriculum needs the selection file itool calibrate -o wrote');
      if (loss !== undefined) throw new UsageError('export: --pref-loss is for pairs; the curriculum is SFT');
      if (state !== undefined) throw new UsageError('export: --state is for pairs; the curriculum takes every calibrated sample');
      return exportCurriculumCommand({ selection: curriculum, dataset: values.dataset, target, out: values.out, baseModel: values['base-model'], template: values.template, name: values.name, calls }, io);
    }
    return exportCommand(
      { pairsFile, state: state as PairStateFilter | undefined, dataset: values.dataset, target, out: values.out, prefLoss: loss as PrefLoss | undefined, baseModel: values['base-model'], template: values.template, name: values.name, calls },
      io,
    );
  },
});
