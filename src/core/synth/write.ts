// The corpus on disk, in BFCL's layout as our reader expects it (question file and, under
// possible_answer/, the answer file of the same name), one folder per split, plus manifest.json:
//   OUT/train/BFCL_v4_synth_train.json      OUT/train/possible_answer/BFCL_v4_synth_train.json
//   OUT/heldout/BFCL_v4_synth_heldout.json  OUT/heldout/possible_answer/BFCL_v4_synth_heldout.json
//   OUT/seen/BFCL_v4_synth_seen.json        OUT/seen/possible_answer/BFCL_v4_synth_seen.json (with --seen)
//   OUT/manifest.json
// Question records carry the sample's knobs under "synth" (a field BFCL does not have; our reader
// keeps unknown fields). Every file is written atomically; nothing holds a timestamp, so one seed
// gives byte-identical files.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomicWrite';
import type { SplitName, SynthCorpus, SynthSample } from './corpus';

export interface SplitFiles {
  questions: string;
  answers: string;
}

export interface WrittenCorpus {
  train?: SplitFiles;
  heldOut?: SplitFiles;
  seen?: SplitFiles;
  manifest: string;
}

/** Paths of a split's files, relative to the output folder. */
export function splitFiles(split: SplitName): SplitFiles {
  const file = `BFCL_v4_synth_${split}.json`;
  return { questions: join(split, file), answers: join(split, 'possible_answer', file) };
}

/** The BFCL question record of a sample. */
export function questionRecord(s: SynthSample): Record<string, unknown> {
  const synth: Record<string, unknown> = { shape: s.shape, tags: s.tags, difficulty: s.difficulty, level: s.level };
  if (s.distractors.length) synth.distractors = s.distractors;
  if (s.renamedCopies.length) synth.renamed_copies = s.renamedCopies;
  if (s.renamed) synth.renamed = s.renamed;
  if (s.derived.length) synth.derived = s.derived;
  return { id: s.id, question: [[{ role: 'user', content: s.query }]], function: s.tools, synth };
}

/** The BFCL possible_answer record of a sample. */
export function answerRecord(s: SynthSample): Record<string, unknown> {
  return { id: s.id, ground_truth: s.groundTruth };
}

async function writeSplit(out: string, split: SplitName, samples: readonly SynthSample[]): Promise<SplitFiles> {
  const files = splitFiles(split);
  await mkdir(join(out, split, 'possible_answer'), { recursive: true });
  await writeFileAtomic(join(out, files.questions), samples.map((s) => `${JSON.stringify(questionRecord(s))}\n`));
  await writeFileAtomic(join(out, files.answers), samples.map((s) => `${JSON.stringify(answerRecord(s))}\n`));
  return files;
}

/** Write the corpus under `out` (created when missing); an empty split writes no files. */
export async function writeCorpus(out: string, corpus: SynthCorpus): Promise<WrittenCorpus> {
  await mkdir(out, { recursive: true });
  const written: WrittenCorpus = { manifest: 'manifest.json' };
  if (corpus.train.length) written.train = await writeSplit(out, 'train', corpus.train);
  if (corpus.heldOut.length) written.heldOut = await writeSplit(out, 'heldout', corpus.heldOut);
  if (corpus.seen.length) written.seen = await writeSplit(out, 'seen', corpus.seen);
  const manifest = { ...corpus.manifest, files: { ...(written.train ? { train: written.train } : {}), ...(written.heldOut ? { heldOut: written.heldOut } : {}), ...(written.seen ? { seen: written.seen } : {}) } };
  await writeFileAtomic(join(out, written.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return written;
}
