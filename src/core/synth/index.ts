// The synthetic tool-use corpus generator (issue 7): BFCL function docs → templated queries with
// difficulty knobs → BFCL-format train / held-out splits (split by function) + manifest.json.
export { bundledDocs, DEFAULT_BFCL_DIR, loadDocs, readBfclDocs, type DocSource, type FunctionDoc, type SourcedDoc } from './docs';
export { prepareFunctions, type SynthFunction, type SynthParam } from './functions';
export {
  DEFAULT_HELD_OUT,
  DEFAULT_SEED,
  DEFAULT_SETTINGS,
  DEFAULT_TRAIN,
  KNOBS,
  LEVELS,
  PROFILES,
  SHAPES,
  TINY_PROFILE,
  type Knob,
  type Level,
  type Shape,
  type SynthCorpus,
  type SynthManifest,
  type SynthOptions,
  type SynthSample,
  type SynthSettings,
} from './corpus';
export { generateCorpus } from './generate';
export { statesLiterally } from './values';
export { answerRecord, questionRecord, splitFiles, writeCorpus, type WrittenCorpus } from './write';
