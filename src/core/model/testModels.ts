// Tiny random-weight decoder-only transformers, written in the Hugging Face / Optimum ONNX export
// layout (config.json, generation_config.json, tokenizer.json, tokenizer_config.json with a chat
// template, onnx/model.onnx), so tests and benchmarks exercise the real model-folder path without
// downloading a model. Weights come from a seeded PRNG: the same options give the same model, and
// `weights` lets tests run the plain-TypeScript reference (tiny/reference.ts) on the same numbers.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tinyOnnxModel } from './tiny/onnxGraph';
import { CHATML_TOOLS_TEMPLATE, SPECIAL_TOKENS, tinyTokenizer } from './tiny/tokenizer';
import { makeTinyWeights, parameterCount, type TinyConfig, type TinyWeights } from './tiny/weights';

export interface TestModelOptions {
  layers: number;
  hidden: number;
  heads: number;
  /** Total ids including the 256 bytes and 3 special tokens; default 320. */
  vocab?: number;
  /** Grouped-query attention; must divide `heads`. Default: `heads`. */
  kvHeads?: number;
  /** MLP width; default 2 × hidden. */
  ffn?: number;
  /** Learned positions; default 8192 (room for real tool-use prompts at ~1 token per byte). */
  maxPos?: number;
  /** Export past_key_values inputs and present outputs. */
  withKvCache: boolean;
  seed: number;
}

export interface TestModel {
  dir: string;
  weights: TinyWeights;
  parameters: number;
  /** Special token ids. */
  special: Record<(typeof SPECIAL_TOKENS)[number], number>;
}

export function testModelConfig(opts: TestModelOptions): TinyConfig {
  const { layers, hidden, heads } = opts;
  const kvHeads = opts.kvHeads ?? heads;
  if (hidden % heads !== 0 || heads % kvHeads !== 0) throw new Error('hidden must divide by heads, heads by kvHeads');
  return { vocab: opts.vocab ?? 320, hidden, heads, kvHeads, headDim: hidden / heads, layers, ffn: opts.ffn ?? 2 * hidden, maxPos: opts.maxPos ?? 8192, eps: 1e-6 };
}

/** Writes the model folder (created if needed) and returns its weights. */
export async function writeTinyModel(dir: string, opts: TestModelOptions): Promise<TestModel> {
  const c = testModelConfig(opts);
  const weights = makeTinyWeights(c, opts.seed);
  const tok = tinyTokenizer(c.vocab, CHATML_TOOLS_TEMPLATE, c.maxPos);
  const { '<|endoftext|>': endOfText, '<|im_end|>': imEnd } = tok.special;
  const config = {
    architectures: ['ItoolTinyForCausalLM'],
    model_type: 'itool_tiny',
    hidden_size: c.hidden,
    intermediate_size: c.ffn,
    num_attention_heads: c.heads,
    num_hidden_layers: c.layers,
    num_key_value_heads: c.kvHeads,
    head_dim: c.headDim,
    vocab_size: c.vocab,
    max_position_embeddings: c.maxPos,
    rms_norm_eps: c.eps,
    bos_token_id: endOfText,
    eos_token_id: imEnd,
    pad_token_id: endOfText,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    use_cache: opts.withKvCache,
    itool_test_seed: opts.seed,
  };
  const generation = { bos_token_id: endOfText, eos_token_id: [imEnd, endOfText], pad_token_id: endOfText, do_sample: true, temperature: 0.7, top_p: 0.8 };
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, value: unknown) => writeFile(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  await Promise.all([
    json('config.json', config),
    json('generation_config.json', generation),
    json('tokenizer.json', tok.tokenizer),
    json('tokenizer_config.json', tok.tokenizerConfig),
    writeFile(join(dir, 'onnx', 'model.onnx'), tinyOnnxModel(weights, opts.withKvCache)),
  ]);
  return { dir, weights, parameters: parameterCount(weights), special: tok.special };
}
