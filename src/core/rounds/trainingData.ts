// Training files for the project's own trainer (scripts/train/). Prompts and responses are
// rendered here, with the model folder's chat template through the same code the product scores
// and samples with (calibrate/prompts.ts on chatTemplate.ts), and tokenized here with the folder's
// tokenizer.json through @huggingface/tokenizers, the library the ONNX engine uses. The Python side
// gets the token ids and never tokenizes or templates anything itself, so training and inference
// cannot drift apart. Files are JSONL, one record a line (scripts/train/trainlib.py):
//   SFT:        {prompt, response, ids, start, sample_id}
//   preference: {prompt, chosen, rejected, chosen_ids, chosen_start, rejected_ids, rejected_start, sample_id}
//   GRPO:       {prompt, completion, ids, start, advantage, reward, sample_id, group} (rounds/grpo.ts)
// `ids` is the tokenization of prompt + response and `start` the index of the first response token,
// found as the engine's score() finds it (a merge across the boundary belongs to the response).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { promptFor, scoreRequestFor } from '../model/prompt';
import type { Dataset } from '../dataset/dataset';
import type { Sample, ToolDef } from '../dataset/sample';
import { ChatTemplate } from '../model/chatTemplate';
import { PolicyError, type ChatMessage, type Continuation, type Policy, type ScoreResult } from '../model/policy';
import { CHATML_TOOLS_TEMPLATE, tinyTokenizer } from '../model/tiny/tokenizer';
import type { CurriculumStages } from '../pairs/export/curriculum';
import { cleanResponse } from '../model/response';
import type { PairSide } from '../search/types';
import type { ExportPair, SkippedRecord } from '../pairs/export/types';

export interface SftRecord {
  prompt: string;
  response: string;
  ids: number[];
  start: number;
  sample_id: string;
}

/** One sampled completion with its group-relative advantage (rounds/grpo.ts writes the file). */
export interface GrpoRecord {
  prompt: string;
  /** The completion as the policy wrote it, with the end-of-sequence token when the policy emitted one. */
  completion: string;
  ids: number[];
  start: number;
  advantage: number;
  /** The checker's partial credit in [-1, 1]. */
  reward: number;
  sample_id: string;
  /** Which group (one prompt, one draw) the advantage was normalised in. */
  group: number;
}

export interface PrefRecord {
  prompt: string;
  chosen: string;
  rejected: string;
  chosen_ids: number[];
  chosen_start: number;
  rejected_ids: number[];
  rejected_start: number;
  sample_id: string;
  /** The shared response prefix, part of both sides but scored on neither (PrefItem.prefix). */
  prefix?: string;
}

/** One preference item: a sample and two responses to its prompt (without the end-of-turn marker). */
export interface PrefItem {
  sample: Sample;
  chosen: string;
  rejected: string;
  /**
   * The response prefix both sides share (a fragment pair's tree node). Its tokens are context,
   * not scored: only what each side adds after it is. Left out, the whole responses are scored.
   */
  prefix?: string;
  /**
   * Sides that stop before their response ends (a pair scored on its fragments alone): no
   * end-of-turn marker follows an open side, whose last token is then the fragment's.
   */
  open?: { chosen?: boolean; rejected?: boolean };
}

export interface WriteResult {
  path: string;
  records: number;
  skipped: SkippedRecord[];
}

/**
 * tokenizer.json and tokenizer_config.json for a new model: the byte-level tokenizer and
 * CHATML_TOOLS_TEMPLATE the project's tiny models use (model/tiny/tokenizer.ts). `itool_train.py
 * init` copies them into the checkpoint. 512 ids tokenize BFCL prompts about as densely as 4096 do
 * (the merges beyond the first few hundred are rare pairs), so the default keeps the embedding small.
 */
export async function writeTokenizerFolder(dir: string, opts: { vocab?: number; maxPos?: number } = {}): Promise<void> {
  const tok = tinyTokenizer(opts.vocab ?? 512, CHATML_TOOLS_TEMPLATE, opts.maxPos ?? 1024);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), `${JSON.stringify(tok.tokenizer, null, 2)}\n`);
  await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify(tok.tokenizerConfig, null, 2)}\n`);
}

/**
 * A Policy that only renders the chat template: calibrate/prompts.ts takes a Policy, and this is
 * how its exact prompt/response rendering is reused without loading a model.
 */
class TemplateOnly implements Policy {
  readonly label: string;
  constructor(
    private readonly template: ChatTemplate,
    readonly id: string,
  ) {
    this.label = `${id} (chat template only)`;
  }
  async chatTemplate(messages: ChatMessage[], tools: ToolDef[], opts: { addGenerationPrompt?: boolean } = {}): Promise<string> {
    return this.template.render(messages, tools, !!opts.addGenerationPrompt);
  }
  async score(): Promise<ScoreResult[]> {
    throw new PolicyError('a template-only policy cannot score');
  }
  async sample(): Promise<Continuation[]> {
    throw new PolicyError('a template-only policy cannot sample');
  }
  async close(): Promise<void> {}
}

/** Renders and tokenizes training records with one model folder's template and tokenizer. */
export class TrainingEncoder {
  private endOfTurn: string | undefined;

  private constructor(
    readonly renderer: Policy,
    private readonly tokenizer: Tokenizer,
    /** Longest record kept (tokens); longer ones are skipped with their reason. */
    readonly maxTokens: number,
    /** tokenizer_config.json's eos_token: the token a sampling policy stops at ('' when none is named). */
    readonly eosToken: string,
  ) {}

  /** `dir`: a model or tokenizer folder (tokenizer.json + tokenizer_config.json with chat_template). */
  static async open(dir: string, opts: { maxTokens?: number } = {}): Promise<TrainingEncoder> {
    const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const tokenizer = new Tokenizer(JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')), config);
    const template = await ChatTemplate.load({ path: dir });
    const max = opts.maxTokens ?? (typeof config.model_max_length === 'number' ? config.model_max_length : 1024);
    const eos = config.eos_token;
    const eosToken = typeof eos === 'string' ? eos : eos && typeof eos === 'object' && typeof (eos as { content?: unknown }).content === 'string' ? (eos as { content: string }).content : '';
    return new TrainingEncoder(new TemplateOnly(template, `template:${dir}`), tokenizer, max, eosToken);
  }

  encode(text: string): number[] {
    // As the engine: the template writes special tokens as text, nothing is added.
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** prompt + response as ids, and where the response starts; a string says why not. */
  span(prompt: string, response: string): { ids: number[]; start: number } | string {
    const p = this.encode(prompt);
    const ids = this.encode(prompt + response);
    let k = 0;
    while (k < p.length && k < ids.length && p[k] === ids[k]) k++;
    if (k === ids.length) return 'the response is empty';
    if (k === 0) return 'the prompt is empty';
    if (ids.length > this.maxTokens) return `${ids.length} tokens exceed the model's ${this.maxTokens}`;
    return { ids, start: k };
  }

  /** The sample's reference answer as the template writes it, end-of-turn marker included. */
  async sftRecord(sample: Sample): Promise<SftRecord | string> {
    const req = await scoreRequestFor(this.renderer, sample);
    if (!req) return 'the sample has no reference answer';
    const s = this.span(req.prompt, req.response);
    return typeof s === 'string' ? s : { prompt: req.prompt, response: req.response, ids: s.ids, start: s.start, sample_id: sample.id };
  }

  /**
   * A completion the policy sampled for the sample's prompt (promptFor: the prompt it answered),
   * as the policy produced it: a finished completion (the policy stopped at its end-of-sequence
   * token, which the engine leaves out of the text) gets that token back, and nothing more (the
   * template's newline after it was never sampled); one cut at max tokens ends where it was cut.
   */
  async completionSpan(sample: Sample, completion: string, finished: boolean): Promise<{ prompt: string; completion: string; ids: number[]; start: number } | string> {
    const prompt = await promptFor(this.renderer, sample);
    const text = completion + (finished ? this.eosToken : '');
    const s = this.span(prompt, text);
    return typeof s === 'string' ? s : { prompt, completion: text, ids: s.ids, start: s.start };
  }

  /** What the template writes after an assistant message's content ("<|im_end|>\n" for ChatML). */
  async endMarker(): Promise<string> {
    if (this.endOfTurn === undefined) {
      const mark = '\u0000itool-end\u0000';
      const text = await this.renderer.chatTemplate([{ role: 'user', content: 'x' }, { role: 'assistant', content: mark }], [], { addGenerationPrompt: false });
      const at = text.lastIndexOf(mark);
      this.endOfTurn = at < 0 ? '' : text.slice(at + mark.length);
    }
    return this.endOfTurn;
  }

  /**
   * Both responses continue the sample's prompt (promptFor: the prompt the policy answered). With
   * a shared prefix, each side's scored span starts where it leaves the prefix: the tokens of the
   * prefix are the same context on both sides, and under SimPO's per-token average they would
   * only dilute the margin and, when the sides differ in length, push the shared tokens' own
   * probability up or down (README, the loop: what a pair scores).
   */
  async prefRecord(item: PrefItem): Promise<PrefRecord | string> {
    const prompt = await promptFor(this.renderer, item.sample);
    const end = await this.endMarker();
    const chosen = item.chosen + (item.open?.chosen ? '' : end);
    const rejected = item.rejected + (item.open?.rejected ? '' : end);
    const prefix = item.prefix ?? '';
    if (!chosen.startsWith(prefix) || !rejected.startsWith(prefix)) return 'the shared prefix does not begin both responses';
    const c = this.span(prompt + prefix, chosen.slice(prefix.length));
    if (typeof c === 'string') return `chosen: ${c}`;
    const r = this.span(prompt + prefix, rejected.slice(prefix.length));
    if (typeof r === 'string') return `rejected: ${r}`;
    const rec: PrefRecord = { prompt, chosen, rejected, chosen_ids: c.ids, chosen_start: c.start, rejected_ids: r.ids, rejected_start: r.start, sample_id: item.sample.id };
    if (prefix) rec.prefix = prefix;
    return rec;
  }
}

/**
 * What a fragment pair's loss scores, the shared prefix being context on both sides: 'fragment'
 * only the two fragments where the sides part (METHOD.md, "Pairs"); 'continuation' each side from
 * the fork to the end of its response; 'response' both whole responses, prefix included. Scored on
 * the continuations, pairs taught the demo model to close calls early (README, the loop: what a
 * pair scores).
 */
export type PairScope = 'fragment' | 'continuation' | 'response';
export const PAIR_SCOPES: readonly PairScope[] = ['fragment', 'continuation', 'response'];

type Side = Pick<PairSide, 'fragment' | 'completion' | 'text'>;

/** A fragment pair (prefix, two sides as the search or a reviewer left them) as a preference item scoring `scope`. */
export function scopedItem(sample: Sample, prefix: string, chosen: Side, rejected: Side, scope: PairScope = 'fragment'): PrefItem {
  // Whole responses as a trainer takes them: without an end-of-turn marker a backend left (PrefRecord appends the template's).
  const whole = (s: Side) => cleanResponse(prefix + s.text);
  if (scope === 'response') return { sample, chosen: whole(chosen), rejected: whole(rejected) };
  if (scope === 'continuation') return { sample, chosen: whole(chosen), rejected: whole(rejected), prefix };
  // A side whose fragment ends its response stays closed: ending there is part of what it says.
  const upTo = (s: Side) => {
    const w = whole(s);
    return w.length <= prefix.length + s.fragment.length ? { text: w, open: false } : { text: prefix + s.fragment, open: true };
  };
  const c = upTo(chosen);
  const r = upTo(rejected);
  return { sample, chosen: c.text, rejected: r.text, prefix, open: { chosen: c.open, rejected: r.open } };
}

/** Reviewed pairs as preference items scoring `scope` (default: the fragments the pairs are about). */
export function prefItemsFromPairs(pairs: readonly ExportPair[], scope: PairScope = 'fragment'): PrefItem[] {
  return pairs.map(({ pair, sample }) => scopedItem(sample, pair.prefix, pair.chosen, pair.rejected, scope));
}

async function writeRecords<T, R>(path: string, items: Iterable<T> | AsyncIterable<T>, idOf: (t: T) => string, make: (t: T) => Promise<R | string>): Promise<WriteResult> {
  const lines: string[] = [];
  const skipped: SkippedRecord[] = [];
  for await (const item of items) {
    const r = await make(item);
    if (typeof r === 'string') skipped.push({ sampleId: idOf(item), reason: r });
    else lines.push(`${JSON.stringify(r)}\n`);
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.join(''));
  return { path, records: lines.length, skipped };
}

/** Every readable sample of a dataset (each answer of a conversation), in file order (bad records are left out). */
export async function* datasetSamples(ds: Dataset): AsyncIterable<Sample> {
  for (let i = 0; i < ds.count; i++) {
    const r = await ds.sample(i);
    if (r.ok) yield* r.samples;
  }
}

export function writeSftFile(path: string, samples: Iterable<Sample> | AsyncIterable<Sample>, enc: TrainingEncoder): Promise<WriteResult> {
  return writeRecords(path, samples, (s) => s.id, (s) => enc.sftRecord(s));
}

export function writePrefFile(path: string, items: Iterable<PrefItem> | AsyncIterable<PrefItem>, enc: TrainingEncoder): Promise<WriteResult> {
  return writeRecords(path, items, (i) => i.sample.id, (i) => enc.prefRecord(i));
}

/**
 * The warm-up curriculum as three SFT files (DIR/easy.jsonl, medium.jsonl, hard.jsonl) and the
 * `stages` list of the trainer's config, which trains them in that order.
 */
export async function writeCurriculumFiles(dir: string, stages: CurriculumStages, enc: TrainingEncoder): Promise<{ stages: { name: string; file: string }[]; results: WriteResult[] }> {
  const out: { name: string; file: string }[] = [];
  const results: WriteResult[] = [];
  for (const name of ['easy', 'medium', 'hard'] as const) {
    const r = await writeSftFile(join(dir, `${name}.jsonl`), stages[name], enc);
    results.push(r);
    // An empty stage has nothing to train: the trainer would refuse the file.
    if (r.records) out.push({ name, file: r.path });
  }
  return { stages: out, results };
}
