// Which of a workspace's .json/.jsonl files a dataset picker offers. Model folders, trainer logs,
// BFCL's answer files, the journals beside a dataset and saved predictions are JSON too, but no
// one opens them as a dataset: listed, they bury the datasets (the demo workspace alone has a
// model folder and a journal per dataset).

/** File names that hold a model, a tokenizer, a trainer's output or a project file, never samples. */
const NOT_DATASETS = new Set([
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'train_results.json',
  'all_results.json',
  'eval_results.json',
  'trainer_state.json',
  'trainer_log.jsonl',
  'dataset_info.json',
  'manifest.json',
  'loop-results.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
]);

/** Folders whose files are never datasets: a dataset's journal (X.itool/), BFCL's answers, class docs and memory prerequisites. */
const NOT_DATASET_DIRS = /(^|[\\/])([^\\/]+\.itool|possible_answer|multi_turn_func_doc|memory_prereq_conversation|node_modules|\.git|\.vscode)[\\/]/;

/** Whether a workspace file may be a dataset (a .json or .jsonl file that is none of the above). */
export function isDatasetCandidate(path: string): boolean {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (!/\.jsonl?$/i.test(name) || NOT_DATASETS.has(name.toLowerCase())) return false;
  // Saved model outputs (ours, and BFCL's result files) are opened as predictions, not datasets.
  if (/\.predictions\.jsonl$|_result\.jsonl?$/i.test(name)) return false;
  return !NOT_DATASET_DIRS.test(path);
}
