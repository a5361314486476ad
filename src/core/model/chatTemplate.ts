// The model's chat template, rendered here rather than by the server: /v1/completions takes plain
// text, and only a client-side rendering lets a search node continue a partial assistant answer or
// score a response against exactly the prompt the model saw. Same inputs as transformers'
// apply_chat_template (messages, tools as JSON-schema functions, add_generation_prompt, special
// tokens), rendered with @huggingface/jinja.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Template } from '@huggingface/jinja';
import type { ToolDef } from '../dataset/sample';
import { PolicyError, type ChatMessage } from './policy';

/**
 * Where the template comes from: a file (a tokenizer_config.json, the model folder holding one, or a
 * Jinja template file), or the template text itself.
 */
export type ChatTemplateSource = { path: string } | { template: string; specialTokens?: Record<string, string> };

const SPECIAL_TOKENS = ['bos_token', 'eos_token', 'unk_token', 'pad_token'] as const;

export class ChatTemplate {
  private readonly compiled = new Map<string, Template>();

  private constructor(
    private readonly templates: Map<string, string>,
    private readonly specialTokens: Record<string, string>,
    /** For messages: the file or "the configured template". */
    readonly origin: string,
  ) {}

  static async load(source: ChatTemplateSource): Promise<ChatTemplate> {
    if ('template' in source) {
      return new ChatTemplate(new Map([['default', source.template]]), source.specialTokens ?? {}, 'the configured chat template');
    }
    const file = await templateFile(source.path);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new PolicyError(`Cannot read the chat template from ${file}: ${(e as Error).message}`);
    }
    const config = parseObject(text);
    if (!config) {
      // A Jinja file: the special tokens still come from a tokenizer_config.json beside it, if any.
      const beside = parseObject((await readFile(join(dirname(file), 'tokenizer_config.json'), 'utf8').catch(() => '')) || '');
      return new ChatTemplate(new Map([['default', text]]), beside ? specialTokensOf(beside) : {}, file);
    }
    // Newer exports keep the template beside the config instead of inside it.
    const jinja = namedTemplates(config).size ? undefined : await readFile(join(dirname(file), 'chat_template.jinja'), 'utf8').catch(() => undefined);
    return ChatTemplate.fromConfig(config, file, jinja);
  }

  /**
   * From a parsed tokenizer_config.json (its `chat_template`: one string, or named templates such
   * as "default" and "tool_use"), or from `jinja` (a chat_template.jinja) when it has none.
   */
  static fromConfig(config: Record<string, unknown>, origin: string, jinja?: string): ChatTemplate {
    const templates = namedTemplates(config);
    if (templates.size === 0 && jinja !== undefined) templates.set('default', jinja);
    if (templates.size === 0) throw new PolicyError(`${origin} has no chat_template (and there is no chat_template.jinja beside it)`);
    return new ChatTemplate(templates, specialTokensOf(config), origin);
  }

  render(messages: ChatMessage[], tools: ToolDef[], addGenerationPrompt: boolean): string {
    const name = tools.length && this.templates.has('tool_use') ? 'tool_use' : this.templates.has('default') ? 'default' : [...this.templates.keys()][0];
    let template = this.compiled.get(name);
    try {
      if (!template) {
        template = new Template(this.templates.get(name) ?? '');
        this.compiled.set(name, template);
      }
      return template.render({
        ...this.specialTokens,
        // Plain JSON: no undefined-valued keys, which templates would see as defined.
        messages: JSON.parse(JSON.stringify(messages)) as unknown,
        // transformers passes tools as JSON-schema functions, and none at all when there are none.
        tools: tools.length ? tools.map((t) => ({ type: 'function', function: JSON.parse(JSON.stringify(t)) as unknown })) : undefined,
        add_generation_prompt: addGenerationPrompt,
      });
    } catch (e) {
      throw new PolicyError(`The chat template (${this.origin}) failed: ${(e as Error).message}`);
    }
  }
}

function namedTemplates(config: Record<string, unknown>): Map<string, string> {
  const templates = new Map<string, string>();
  const ct = config.chat_template;
  if (typeof ct === 'string') templates.set('default', ct);
  else if (Array.isArray(ct)) {
    for (const t of ct as { name?: unknown; template?: unknown }[]) {
      if (typeof t?.name === 'string' && typeof t.template === 'string') templates.set(t.name, t.template);
    }
  }
  return templates;
}

/** A folder means its tokenizer_config.json. */
async function templateFile(path: string): Promise<string> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new PolicyError(`Chat template: ${path} does not exist (expected a tokenizer_config.json, the model folder holding it, or a Jinja template file)`);
  return st.isDirectory() ? join(path, 'tokenizer_config.json') : path;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** bos_token & co.: plain strings, or AddedToken objects {content, …}. */
function specialTokensOf(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of SPECIAL_TOKENS) {
    const v = config[k] as { content?: unknown } | string | undefined;
    const s = typeof v === 'string' ? v : typeof v?.content === 'string' ? v.content : undefined;
    if (s !== undefined) out[k] = s;
  }
  return out;
}
