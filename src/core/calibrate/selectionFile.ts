// The selection a round's search explores, as a file beside the dataset (and what
// `itool calibrate -o` writes): which samples, why (their PPL and group), and for which model and
// round. Written atomically; read back by the panel, `iTool: Select Deficient Samples` and
// `itool explore --selection`.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { modelMetadataPath } from '../dataset/metadata';
import { answerField } from '../dataset/sample';
import { scrubUrlsIn } from '../model/openai/endpointUrl';
import { writeFileAtomic } from '../store/atomicWrite';
import type { CalibrationResult } from './calibrate';
import type { CallRenderingSetting } from '../model/callRendering';
import type { TurnsMode } from '../dataset/answers';
import { tierCuts, tierOf, type Selection, type Tier, type TierCuts } from './select';

export interface SelectionFile {
  version: 1;
  dataset: string;
  model: string;
  modelLabel: string;
  round: number;
  ratio: number;
  cuts: TierCuts;
  groups: Selection['groups'];
  /** `answer`: the answer within the record, when the record yields several samples (dataset/answers.ts). */
  selected: { index: number; answer?: number; id: string; group: 'calls' | 'text'; ppl: number; tier: Tier | undefined }[];
  createdAt: string;
  /** The call rendering calibration scored with; the search renders its prompts the same way. */
  calls?: CallRenderingSetting;
  /** Which answers were samples when it was made (absent in older files: 'last'); the search opens the dataset the same way. */
  turns?: TurnsMode;
}

export function selectionPath(datasetPath: string, modelId: string, round: number): string {
  return modelMetadataPath(datasetPath, 'selection', modelId, `-r${round}.json`);
}

export function selectionFile(cal: CalibrationResult, sel: Selection, cuts: TierCuts = tierCuts(cal.entries)): SelectionFile {
  return {
    version: 1,
    dataset: cal.header.dataset,
    // Never an endpoint's credentials, even from a journal an older version wrote.
    model: scrubUrlsIn(cal.header.model),
    modelLabel: scrubUrlsIn(cal.header.modelLabel),
    round: cal.header.round,
    ratio: sel.ratio,
    cuts,
    groups: sel.groups,
    selected: sel.selected.map((e) => ({ index: e.index, ...answerField(e.answer), id: e.id, group: e.group, ppl: e.ppl!, tier: tierOf(e.ppl, cuts) })),
    createdAt: new Date().toISOString(),
    calls: cal.header.calls ?? 'auto',
    turns: cal.header.turns ?? 'last',
  };
}

export async function writeSelection(path: string, file: SelectionFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

export async function readSelection(path: string): Promise<SelectionFile> {
  const v = JSON.parse(await readFile(path, 'utf8')) as Partial<SelectionFile>;
  if (v.version !== 1 || !Array.isArray(v.selected)) throw new Error(`${path}: not an iTool selection file (version 1 with "selected")`);
  return v as SelectionFile;
}
