// `itool render DATASET (--model DIR | --chat-template FILE) [--calls text|template] [--index N] [--json]`:
// per sample, the prompt and the scored response exactly as calibration and search use them
// (calibrate/scoredAs.ts, the panel's "Scored as" block), or why the sample cannot be scored.
// Nothing is loaded but the chat template: this is what to look at before spending a GPU-hour.
import { Dataset } from '../core/dataset/dataset';
import type { TurnsMode } from '../core/dataset/answers';
import type { CallRenderingSetting } from '../core/model/callRendering';
import { loadRenderer, scoredAs, type ScoredAs } from '../core/calibrate/scoredAs';
import { skipSummary } from '../core/calibrate/calibrate';
import { numberArg, turnsArg, UsageError, whole } from './args';
import { callsArg } from './callsArg';
import { defineCommand } from './command';

export interface RenderCommandOptions {
  dataset: string;
  /** Every assistant answer a sample (default), or each record's last answer only. */
  turns?: TurnsMode;
  /** A model folder (its tokenizer_config.json / chat_template.jinja) … */
  model?: string;
  /** … or a tokenizer_config.json or Jinja template file. */
  chatTemplate?: string;
  calls: CallRenderingSetting;
  /** 0-based record index; all records when absent. */
  index?: number;
  json: boolean;
}

// The CLI exits only once stdout is flushed (runCli, args.ts): a pipe gets every line.
const write = (text: string): void => void process.stdout.write(text);

/** Special tokens stay as they are; line ends are marked so trailing newlines can be seen. */
function shown(text: string): string {
  return text.replace(/\n/g, '⏎\n');
}

export async function renderCommand(o: RenderCommandOptions): Promise<number> {
  if (!!o.model === !!o.chatTemplate) throw new Error('render: give exactly one of --model DIR or --chat-template FILE');
  const renderer = await loadRenderer({ path: (o.model ?? o.chatTemplate)! });
  const ds = await Dataset.open(o.dataset, { turns: o.turns });
  try {
    if (o.index !== undefined && !(o.index < ds.count)) throw new Error(`render: --index ${o.index} is past the last record (${ds.count} records, 0-based)`);
    const indices = o.index !== undefined ? [o.index] : Array.from({ length: ds.count }, (_, i) => i);
    const errors: { kind: string }[] = [];
    let rendered = 0;
    let total = 0;
    for (const i of indices) {
      const r = await ds.sample(i);
      // Every sample the record yields: each answer of a conversation is scored with its own prompt.
      const rows: (ScoredAs | { id: string; index: number; error: string; kind: string })[] = r.ok
        ? await Promise.all(r.samples.map((s) => scoredAs(renderer, s, o.calls)))
        : [{ id: String(i + 1), index: i, error: r.reason, kind: 'unreadable' }];
      for (const row of rows) {
        total++;
        if ('error' in row) errors.push(row);
        else rendered++;
        if (o.json) {
          write(`${JSON.stringify('error' in row ? { id: row.id, error: row.error } : { id: row.id, prompt: row.prompt, response: row.response })}\n`);
        } else if ('error' in row) {
          write(`── ${row.id} (record ${i}) ── not scored (${row.kind}): ${row.error}\n\n`);
        } else {
          const tail = row.prompt.length > 600 ? `…${row.prompt.slice(-600)}` : row.prompt;
          write(`── ${row.id} (record ${i}) ── calls rendered as ${row.calls}\n── prompt (end) ──\n${shown(tail)}\n── scored response ──\n${shown(row.response)}\n\n`);
        }
      }
    }
    const summary = `${rendered} of ${total} samples rendered${errors.length ? `, ${errors.length} cannot be scored (${skipSummary(errors)})` : ''}`;
    process.stderr.write(`itool: ${summary}\n`);
    return errors.length && rendered === 0 ? 1 : 0;
  } finally {
    await ds.close();
  }
}

export const renderCli = defineCommand({
  name: 'render',
  usage: `  itool render DATASET (--model DIR | --chat-template FILE) [--calls auto|text|template] [--index N] [--json]
      Per sample, the end of the rendered prompt and the scored response exactly as calibration
      and search use them, or why the sample cannot be scored; --json: one line per sample,
      {"id","prompt","response"} or {"id","error"}. --index N: only record N (0-based).
`,
  options: {
    model: { type: 'string' },
    'chat-template': { type: 'string' },
    calls: { type: 'string' },
    index: { type: 'string' },
    turns: { type: 'string' },
    json: { type: 'boolean' },
  },
  run(values, [dataset]) {
    if (!dataset) throw new UsageError('render: missing DATASET');
    return renderCommand({
      dataset,
      model: values.model,
      chatTemplate: values['chat-template'],
      calls: callsArg('render', values.calls),
      index: numberArg('render', 'index', values.index, whole(0)),
      turns: turnsArg(values.turns),
      json: !!values.json,
    });
  },
});
