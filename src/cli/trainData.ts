// `itool train-data DATASET --tokenizer DIR -o OUT.jsonl`: the SFT records scripts/train reads
// (src/core/rounds/trainingData.ts writeSftFile: prompt + reference answer rendered with DIR's chat
// template and tokenized with its tokenizer, `start` = the first answer token). Samples without a
// reference answer or longer than the model's positions are skipped and counted by reason.
// Exit code: 0 written, 1 failed, 2 bad options.
import { Dataset } from '../core/dataset/dataset';
import { datasetSamples, TrainingEncoder, writeSftFile } from '../core/rounds/trainingData';
import { UsageError } from './args';
import { defineCommand } from './command';

export async function trainDataCommand(a: { dataset: string; tokenizer: string; out: string }, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  let ds: Dataset | undefined;
  try {
    ds = await Dataset.open(a.dataset);
    const enc = await TrainingEncoder.open(a.tokenizer);
    const r = await writeSftFile(a.out, datasetSamples(ds), enc);
    // Reasons grouped by kind ("1,128 tokens exceed the model's 1024" → "tokens exceed the model's 1024").
    const why = new Map<string, number>();
    for (const s of r.skipped) {
      const k = s.reason.replace(/^[\d,]+ /, '');
      why.set(k, (why.get(k) ?? 0) + 1);
    }
    io.stdout(`wrote ${r.records} records to ${a.out}${r.skipped.length ? `; skipped ${r.skipped.length}: ${[...why].map(([k, n]) => `${n} × ${k}`).join('; ')}` : ''}\n`);
    return 0;
  } catch (err) {
    io.stderr(`train-data: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await ds?.close();
  }
}

export const trainDataCli = defineCommand({
  name: 'train-data',
  usage: `  itool train-data DATASET --tokenizer DIR -o OUT.jsonl
      SFT records for scripts/train (prompt + reference answer as token ids, rendered with the
      chat template and tokenizer of DIR, a model or tokenizer folder); too-long samples skipped.
`,
  options: { tokenizer: { type: 'string' }, out: { type: 'string', short: 'o' } },
  run(values, [dataset]) {
    if (!dataset) throw new UsageError('train-data: missing DATASET');
    if (!values.tokenizer || !values.out) throw new UsageError('train-data: --tokenizer DIR and -o OUT.jsonl are required');
    return trainDataCommand({ dataset, tokenizer: values.tokenizer, out: values.out }, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  },
});
