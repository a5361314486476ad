// tokenizer.json and tokenizer_config.json for the tiny test models: a GPT-2 style byte-level BPE
// (the 256 byte tokens, merges up to the requested vocabulary, then the ChatML special tokens) and
// a Qwen2.5-like chat template, in the files' real Hugging Face shapes.

export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** GPT-2's reversible byte → printable character map (bytes_to_unicode). */
function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return map;
}

// Merges that make real-looking tokens (and boundary effects: " t" + "he" → " the"), in an order
// where every token's parts already exist. Written in plain text; Ġ / Ċ are applied below.
const PREFERRED = [
  ' t', 'th', 'he', 'in', 'er', 'an', 'on', 're', ' a', ' s', ' w', ' c', ' f', ' o', 'ou', 'at', 'en', 'is', 'or', 'es',
  ' th', 'the', ' the', 'ing', ' in', ' of', ' to', 'nd', ' and', 'al', 'ar', 'le', 'st', 'it', 'ti', 'ion', 'ed', 'me',
  'na', 'name', 'ame', '"n', '":', '{"', '"}', '",', ' "', ' {"', '\n\n', 'to', 'ol', 'ool', ' tool', 'tool', '_c', 'all',
  '_call', 'tool_call', 'ar', 'gu', 'arg', 'ent', 'um', 'ument', 'uments', 'arguments', 'us', 'user', 'ist', 'ass', 'ant',
  'assist', 'assistant', 'sy', 'sys', 'tem', 'system', 'ty', 'type', 'str', 'ing', 'string', 'par', 'am', 'param', 'et',
  'ers', 'eters', 'parameters', 'de', 'sc', 'desc', 'ri', 'pt', 'ript', 'description', 'ci', 'ty', 'city', 'we', 'ath',
  'weath', 'weather', 'ge', 'get', 'get_', 'get_weather', '12', '123', '00', ' 1', ' 2',
];

export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Special token ids by content. */
  special: Record<(typeof SPECIAL_TOKENS)[number], number>;
}

/** A byte-level BPE with exactly `vocab` ids (at least 256 + the special tokens). */
export function tinyTokenizer(vocab: number, chatTemplate: string, maxLength: number): TokenizerFiles {
  const nMerges = vocab - 256 - SPECIAL_TOKENS.length;
  if (nMerges < 0) throw new Error(`vocab must be at least ${256 + SPECIAL_TOKENS.length}`);
  const byteChar = bytesToUnicode();
  const enc = (text: string) => Array.from(new TextEncoder().encode(text), (b) => byteChar[b]).join('');
  const ids = new Map<string, number>();
  byteChar.forEach((c, b) => ids.set(c, b));
  const merges: [string, string][] = [];
  const add = (left: string, right: string) => {
    if (merges.length >= nMerges || !ids.has(left) || !ids.has(right) || ids.has(left + right)) return;
    ids.set(left + right, ids.size);
    merges.push([left, right]);
  };
  for (const word of PREFERRED.map(enc)) {
    const chars = Array.from(word);
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      if (ids.has(left) && ids.has(right)) {
        add(left, right);
        break;
      }
    }
  }
  // Then every pair of printable ASCII characters, then those pairs extended by one more
  // character, until the vocabulary is full (the ~20M-parameter bench model wants 8k tokens).
  const printable = Array.from({ length: 95 }, (_, i) => enc(String.fromCharCode(32 + i)));
  for (const a of printable) for (const b of printable) add(a, b);
  for (const ab of [...ids.keys()].filter((t) => Array.from(t).length === 2)) for (const c of printable) add(ab, c);
  if (merges.length < nMerges) throw new Error(`cannot build ${vocab} tokens`);

  const special = {} as TokenizerFiles['special'];
  const addedTokens = SPECIAL_TOKENS.map((content, i) => {
    special[content] = 256 + nMerges + i;
    return { id: 256 + nMerges + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(ids),
      merges,
    },
  };
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...t }) => [String(id), t])),
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    bos_token: null,
    chat_template: chatTemplate,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    errors: 'replace',
    model_max_length: maxLength,
    pad_token: '<|endoftext|>',
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
  return { tokenizer, tokenizerConfig, special };
}

/** Qwen2.5's chat template, trimmed of its default system prompt: tools into the system turn,
 *  assistant tool calls as <tool_call> JSON, tool results as <tool_response> in a user turn. */
export const CHATML_TOOLS_TEMPLATE = [
  '{%- if tools %}',
  "{{- '<|im_start|>system\\n' }}",
  "{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] + '\\n\\n' }}{%- endif %}",
  '{{- "# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}',
  '{%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}',
  '{{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}',
  '{%- elif messages[0][\'role\'] == \'system\' %}',
  "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
  '{%- endif %}',
  '{%- for message in messages %}',
  '{%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}',
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}",
  '{%- elif message.role == "assistant" %}',
  "{{- '<|im_start|>' + message.role }}",
  "{%- if message.content %}{{- '\\n' + message.content }}{%- endif %}",
  '{%- for tool_call in message.tool_calls %}',
  '{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}',
  '{{- \'\\n<tool_call>\\n{"name": "\' }}{{- tool_call.name }}{{- \'", "arguments": \' }}{{- tool_call.arguments | tojson }}{{- \'}\\n</tool_call>\' }}',
  '{%- endfor %}',
  "{{- '<|im_end|>\\n' }}",
  '{%- elif message.role == "tool" %}',
  '{%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}{{- \'<|im_start|>user\' }}{%- endif %}',
  "{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}",
  '{%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}{{- \'<|im_end|>\\n\' }}{%- endif %}',
  '{%- endif %}',
  '{%- endfor %}',
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join('\n');
