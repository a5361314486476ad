// The model's chat template, rendered here rather than by the server: /v1/completions takes plain
// text, and only a client-side rendering lets a search node continue a partial assistant answer or
// score a response against exactly the prompt the model saw. Same inputs as transformers'
// apply_chat_template (messages, tools as JSON-schema functions, add_generation_prompt, special
// tokens), rendered with @huggingface/jinja.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Environment, Interpreter, Template } from '@huggingface/jinja';
import type { ToolDef } from '../dataset/sample';
import { PolicyError, type ChatMessage } from './policy';
import { strftime } from './strftime';

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

  /** The clock strftime_now reads (templates that print today's date); tests fix it. */
  now: () => Date = () => new Date();

  /**
   * What transformers puts in a template's namespace besides its inputs (the engine's Template
   * sets up the same names but will not let strftime_now be replaced): the constants, range,
   * raise_exception, and Python's strftime (C locale, every directive) on a clock tests can fix.
   */
  private globals(): Record<string, unknown> {
    return {
      true: true, false: false, none: null, True: true, False: false, None: null,
      range: pythonRange,
      raise_exception: (message: unknown) => {
        throw new Error(String(message));
      },
      strftime_now: (format: string) => strftime(this.now(), format),
      // jinja2's dict(mapping_or_pairs, **kwargs); the engine hands a JS function its arguments' values.
      dict: (...args: unknown[]) => {
        const kwargs = args.at(-1) instanceof Map ? (args.pop() as Map<string, unknown>) : undefined;
        const first = args[0] === undefined ? {} : plain(args[0]);
        const base = Array.isArray(first) ? Object.fromEntries(first as [string, unknown][]) : (first as Record<string, unknown>);
        return { ...base, ...(kwargs ? Object.fromEntries([...kwargs].map(([k, v]) => [k, plain(v)])) : {}) };
      },
    };
  }

  static async load(source: ChatTemplateSource): Promise<ChatTemplate> {
    if ('template' in source) return ChatTemplate.fromText(source.template, source.specialTokens ?? {}, 'the configured chat template');
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

  /** From the template text itself and the special tokens it refers to. */
  static fromText(template: string, specialTokens: Record<string, string>, origin: string): ChatTemplate {
    return new ChatTemplate(new Map([['default', template]]), specialTokens, origin);
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

  /**
   * The template over `messages` as transformers' apply_chat_template renders it. A template that
   * raises with `arguments` as objects is tried once more with them as JSON strings (DeepSeek-R1
   * and functionary concatenate them as text; Python raises on a dict there, and so does the
   * patched engine, instead of writing "[object Map]"). If both raise, the first error is the one
   * reported: it is the template's own reason (raise_exception's message, or the failing filter).
   */
  render(messages: ChatMessage[], tools: ToolDef[], addGenerationPrompt: boolean): string {
    const name = tools.length && this.templates.has('tool_use') ? 'tool_use' : this.templates.has('default') ? 'default' : [...this.templates.keys()][0];
    const context = (msgs: ChatMessage[]): Record<string, unknown> => ({
      ...this.specialTokens,
      // Plain JSON: no undefined-valued keys, which templates would see as defined.
      messages: JSON.parse(JSON.stringify(msgs)) as unknown,
      // transformers passes tools as JSON-schema functions, and None when there are none.
      tools: tools.length ? tools.map((t) => ({ type: 'function', function: JSON.parse(JSON.stringify(t)) as unknown })) : null,
      add_generation_prompt: addGenerationPrompt,
    });
    try {
      return this.renderVariables(context(messages), name);
    } catch (first) {
      if (first instanceof TemplateRenderError) throw first;
      const asStrings = withStringArguments(messages);
      if (asStrings) {
        try {
          return this.renderVariables(context(asStrings), name);
        } catch {
          // The first error names the template's own reason.
        }
      }
      throw new TemplateRenderError(`The chat template (${this.origin}) failed: ${(first as Error).message}`);
    }
  }

  /**
   * The template (`name`, default the first) over any variables, in transformers' namespace: what
   * render() runs, and what the conformance tests run template snippets with. Throws the engine's
   * error as is, or a TemplateRenderError when the template does not parse.
   */
  renderVariables(items: Record<string, unknown>, name = [...this.templates.keys()][0]): string {
    let template = this.compiled.get(name);
    try {
      if (!template) {
        template = new Template(this.templates.get(name) ?? '');
        this.compiled.set(name, template);
      }
    } catch (e) {
      throw new TemplateRenderError(`The chat template (${this.origin}) does not parse: ${(e as Error).message}`);
    }
    const env = new Environment();
    for (const [k, v] of Object.entries({ ...this.globals(), ...items })) env.set(k, v);
    return (new Interpreter(env).run(template.parsed) as { value: string }).value;
  }
}

/** An engine value (or what a JS function received of one) as plain JS data. */
function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object' && 'type' in v && 'value' in v) return plain((v as { value: unknown }).value);
  return v;
}

/** Python's range(stop) / range(start, stop[, step]). */
function pythonRange(a: number, b?: number, step = 1): number[] {
  const [start, stop] = b === undefined ? [0, a] : [a, b];
  if (step === 0) throw new Error('range() arg 3 must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** A template raised (or does not parse): a fact about this template and these messages. */
export class TemplateRenderError extends PolicyError {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/** Python's json.dumps(x, ensure_ascii=False): ", " and ": " separators, non-ASCII kept. */
export function pythonJsonDumps(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(pythonJsonDumps).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pythonJsonDumps(x)}`).join(', ')}}`;
}

/** The messages with every call's arguments as a JSON string, or undefined when there are none. */
function withStringArguments(messages: ChatMessage[]): ChatMessage[] | undefined {
  if (!messages.some((m) => m.tool_calls?.some((c) => typeof c.function.arguments !== 'string'))) return undefined;
  return messages.map((m) =>
    m.tool_calls
      ? { ...m, tool_calls: m.tool_calls.map((c) => ({ ...c, function: { ...c.function, arguments: typeof c.function.arguments === 'string' ? c.function.arguments : pythonJsonDumps(c.function.arguments) } })) }
      : m,
  );
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
