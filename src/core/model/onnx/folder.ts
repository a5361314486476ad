// Reads and checks a Hugging Face / Optimum ONNX model folder (the layout transformers.js uses) on
// the caller's thread: the small JSON files only, so every problem a user can fix surfaces as a
// PolicyError naming the file before any worker starts. tokenizer.json (megabytes for real models)
// is parsed in the worker.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { PolicyError } from '../policy';

/** Shapes the engine needs to feed an empty KV cache. */
export interface ModelDims {
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
  vocab?: number;
  maxPos?: number;
}

export type ChatTemplateSource = string | { name: string; template: string }[];

export interface ModelFolder {
  dir: string;
  onnxPath: string;
  tokenizerPath: string;
  tokenizerConfigPath: string;
  tokenizerConfig: Record<string, unknown>;
  /** Where the template came from, for messages. */
  chatTemplatePath: string;
  chatTemplate?: ChatTemplateSource;
  dims: ModelDims;
  /** End-of-sequence ids from config.json and generation_config.json (the tokenizer's eos_token is added by the engine). */
  eosIds: number[];
  bosId?: number;
  padId?: number;
  /** `onnx:<dir>#<short sha of config.json + the onnx file's size and mtime>` */
  id: string;
}

function readJson(path: string, required: boolean): Record<string, unknown> | undefined {
  if (!existsSync(path)) {
    if (required) throw new PolicyError(`${path} not found`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PolicyError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new PolicyError(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

const ids = (v: unknown): number[] => (Array.isArray(v) ? v : [v]).filter((x): x is number => Number.isInteger(x));
const id = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);

/** The files of an ONNX model folder, as dialogs and messages name them. */
export const MODEL_FOLDER_FILES: readonly string[] = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

/**
 * Whether `dir` looks like an ONNX model folder (config.json and onnx/model.onnx in it): the quick
 * look before a folder is offered or taken as a model; readModelFolder says what is wrong with one.
 */
export function isModelFolder(dir: string | undefined): dir is string {
  return !!dir && existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'onnx', 'model.onnx'));
}

/** Reads `dir`; `file` is the ONNX file under onnx/ (default model.onnx; e.g. model_quantized.onnx). */
export function readModelFolder(dirIn: string, file = 'model.onnx'): ModelFolder {
  const dir = resolve(dirIn);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PolicyError(`${dir}: model folder not found`);
  const configPath = join(dir, 'config.json');
  const config = readJson(configPath, true)!;
  // GPT-2 style configs name the same things differently.
  const field = (name: string, ...aliases: string[]): number | undefined => {
    for (const key of [name, ...aliases]) {
      const v = config[key];
      if (v === undefined || v === null) continue;
      if (!Number.isInteger(v) || (v as number) <= 0) throw new PolicyError(`${configPath}: ${key} must be a positive integer`);
      return v as number;
    }
    return undefined;
  };
  const need = (name: string, ...aliases: string[]): number => {
    const v = field(name, ...aliases);
    if (v === undefined) throw new PolicyError(`${configPath}: missing ${name}`);
    return v;
  };
  const hidden = need('hidden_size', 'n_embd', 'd_model');
  const heads = need('num_attention_heads', 'n_head');
  const layers = need('num_hidden_layers', 'n_layer');
  const dims: ModelDims = {
    hidden,
    heads,
    layers,
    kvHeads: field('num_key_value_heads') ?? heads,
    headDim: field('head_dim') ?? Math.floor(hidden / heads),
    vocab: field('vocab_size'),
    maxPos: field('max_position_embeddings', 'n_positions'),
  };

  const tokenizerPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) throw new PolicyError(`${tokenizerPath} not found`);
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  const tokenizerConfig = readJson(tokenizerConfigPath, true)!;
  const generation = readJson(join(dir, 'generation_config.json'), false) ?? {};

  // Newer transformers keep the template in chat_template.jinja; older ones in tokenizer_config.
  let chatTemplatePath = tokenizerConfigPath;
  let chatTemplate = tokenizerConfig.chat_template as ChatTemplateSource | undefined;
  const jinjaPath = join(dir, 'chat_template.jinja');
  if (chatTemplate === undefined && existsSync(jinjaPath)) {
    chatTemplatePath = jinjaPath;
    chatTemplate = readFileSync(jinjaPath, 'utf8');
  }

  const onnxPath = join(dir, 'onnx', file);
  if (!existsSync(onnxPath)) throw new PolicyError(`${onnxPath} not found`);
  const st = statSync(onnxPath);
  const hash = createHash('sha256').update(readFileSync(configPath)).update(`\0${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 12);
  return {
    dir,
    onnxPath,
    tokenizerPath,
    tokenizerConfigPath,
    tokenizerConfig,
    chatTemplatePath,
    chatTemplate,
    dims,
    eosIds: [...new Set([...ids(generation.eos_token_id), ...ids(config.eos_token_id)])],
    bosId: id(generation.bos_token_id) ?? id(config.bos_token_id),
    padId: id(generation.pad_token_id) ?? id(config.pad_token_id),
    id: `onnx:${dir}#${hash}`,
  };
}

export function folderLabel(f: ModelFolder): string {
  return basename(f.dir);
}
