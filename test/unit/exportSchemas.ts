// JSON Schemas of what each trainer reads, written from the targets' own documentation (not from
// our exporter), so the export tests check the files against the trainers' contracts:
// - LLaMA-Factory data/README: sharegpt format, preference ("ranking") datasets, dataset_info.json;
//   roles human/observation at odd positions and gpt/function_call at even ones, tools as JSON text.
// - TRL "Dataset formats and types": conversational preference (prompt / chosen / rejected lists of
//   {role, content} messages) and language modelling (messages), tool calls as
//   {type: "function", function: {name, arguments}} with argument objects, tools as JSON Schema functions.
// - OpenAI fine-tuning: preference (DPO) input {input: {messages, tools, parallel_tool_calls},
//   preferred_output, non_preferred_output} and chat SFT {messages, tools}; assistant tool calls
//   carry an id and JSON-text arguments, tool messages the id of the call they answer.
// Our records are held to `additionalProperties: false` where the docs list the fields: an
// unexpected field is a mistake here, even where a trainer would ignore it.

type Schema = Record<string, unknown>;

const str = { type: 'string' };

// ---- LLaMA-Factory ----------------------------------------------------------------------------

const lfTurn = (froms: string[]): Schema => ({ type: 'object', required: ['from', 'value'], additionalProperties: false, properties: { from: { enum: froms }, value: str } });
const lfConversation: Schema = { type: 'array', minItems: 1, items: lfTurn(['human', 'gpt', 'function_call', 'observation']) };

export const LF_RANKING: Schema = {
  type: 'object',
  required: ['conversations', 'chosen', 'rejected'],
  additionalProperties: false,
  properties: { conversations: lfConversation, chosen: lfTurn(['gpt', 'function_call']), rejected: lfTurn(['gpt', 'function_call']), system: str, tools: str },
};

export const LF_SFT: Schema = {
  type: 'object',
  required: ['conversations'],
  additionalProperties: false,
  properties: { conversations: lfConversation, system: str, tools: str },
};

/** The parsed `tools` text: a list of functions. */
export const LF_TOOLS: Schema = {
  type: 'array',
  items: { type: 'object', required: ['name'], properties: { name: str, description: str, parameters: { type: 'object' } } },
};

/** A function_call value, parsed: {name, arguments} or a list of them. */
const lfCall: Schema = { type: 'object', required: ['name', 'arguments'], properties: { name: str, arguments: { type: 'object' } } };
export const LF_FUNCTION_CALL: Schema = { anyOf: [lfCall, { type: 'array', minItems: 1, items: lfCall }] };

export const LF_DATASET_INFO_ENTRY: Schema = {
  type: 'object',
  required: ['file_name', 'formatting', 'columns'],
  additionalProperties: false,
  properties: {
    file_name: str,
    formatting: { enum: ['alpaca', 'sharegpt', 'openai'] },
    ranking: { type: 'boolean' },
    columns: {
      type: 'object',
      required: ['messages'],
      additionalProperties: false,
      properties: { messages: str, chosen: str, rejected: str, system: str, tools: str, images: str, videos: str, audios: str, kto_tag: str },
    },
    tags: { type: 'object' },
  },
};

// ---- shared: functions offered to the model ---------------------------------------------------

export const CHAT_TOOL: Schema = {
  type: 'object',
  required: ['type', 'function'],
  additionalProperties: false,
  properties: {
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: str, description: str, parameters: { type: 'object', required: ['type'], properties: { type: { const: 'object' } } }, strict: { type: 'boolean' } },
    },
  },
};

// ---- TRL ----------------------------------------------------------------------------------------

const trlToolCall: Schema = {
  type: 'object',
  required: ['type', 'function'],
  additionalProperties: false,
  properties: {
    type: { const: 'function' },
    function: { type: 'object', required: ['name', 'arguments'], additionalProperties: false, properties: { name: str, arguments: { type: 'object' } } },
  },
};

const trlMessage: Schema = {
  type: 'object',
  // TRL tells a conversational record by `role` and `content` on its messages.
  required: ['role', 'content'],
  additionalProperties: false,
  properties: { role: { enum: ['system', 'user', 'assistant', 'tool'] }, content: str, tool_calls: { type: 'array', minItems: 1, items: trlToolCall }, name: str },
};

const trlAssistant: Schema = { allOf: [trlMessage, { properties: { role: { const: 'assistant' } } }] };

export const TRL_PREFERENCE: Schema = {
  type: 'object',
  required: ['prompt', 'chosen', 'rejected'],
  additionalProperties: false,
  properties: {
    prompt: { type: 'array', minItems: 1, items: trlMessage },
    chosen: { type: 'array', minItems: 1, items: trlAssistant },
    rejected: { type: 'array', minItems: 1, items: trlAssistant },
    tools: { type: 'array', items: CHAT_TOOL },
  },
};

export const TRL_LANGUAGE_MODELING: Schema = {
  type: 'object',
  required: ['messages'],
  additionalProperties: false,
  properties: { messages: { type: 'array', minItems: 2, items: trlMessage }, tools: { type: 'array', items: CHAT_TOOL } },
};

// ---- OpenAI -------------------------------------------------------------------------------------

const oaToolCall: Schema = {
  type: 'object',
  required: ['id', 'type', 'function'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { const: 'function' },
    function: { type: 'object', required: ['name', 'arguments'], additionalProperties: false, properties: { name: str, arguments: str } },
  },
};

export const OPENAI_ASSISTANT: Schema = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { role: { const: 'assistant' }, content: { type: ['string', 'null'] }, tool_calls: { type: 'array', minItems: 1, items: oaToolCall }, name: str, weight: { enum: [0, 1] } },
  anyOf: [{ required: ['content'] }, { required: ['tool_calls'] }],
};

const oaMessage: Schema = {
  anyOf: [
    { type: 'object', required: ['role', 'content'], additionalProperties: false, properties: { role: { enum: ['system', 'developer', 'user'] }, content: str, name: str } },
    OPENAI_ASSISTANT,
    { type: 'object', required: ['role', 'tool_call_id', 'content'], additionalProperties: false, properties: { role: { const: 'tool' }, tool_call_id: str, content: str } },
  ],
};

export const OPENAI_PREFERENCE: Schema = {
  type: 'object',
  required: ['input', 'preferred_output', 'non_preferred_output'],
  additionalProperties: false,
  properties: {
    input: {
      type: 'object',
      required: ['messages'],
      additionalProperties: false,
      properties: { messages: { type: 'array', minItems: 1, items: oaMessage }, tools: { type: 'array', items: CHAT_TOOL }, parallel_tool_calls: { type: 'boolean' } },
    },
    // One assistant message each: the final turn the two outputs disagree on.
    preferred_output: { type: 'array', minItems: 1, maxItems: 1, items: OPENAI_ASSISTANT },
    non_preferred_output: { type: 'array', minItems: 1, maxItems: 1, items: OPENAI_ASSISTANT },
  },
};

export const OPENAI_CHAT_SFT: Schema = {
  type: 'object',
  required: ['messages'],
  additionalProperties: false,
  properties: { messages: { type: 'array', minItems: 2, items: oaMessage }, tools: { type: 'array', items: CHAT_TOOL }, parallel_tool_calls: { type: 'boolean' } },
};

/** JSON Schema's own type names: what a tool's parameter schema may say in `type`. */
export const JSON_SCHEMA_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];
