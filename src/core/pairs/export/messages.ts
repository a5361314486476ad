// Sample turns as chat messages, in the two dialects the chat-format targets speak:
// - 'openai': tool calls carry ids and JSON-text arguments; every tool message names the id of
//   the call it answers (OpenAI rejects a call left unanswered, or an answer to no call);
// - 'trl': tool calls carry argument objects, which Hugging Face chat templates render
//   (`arguments | tojson`); tool messages carry the function name where it is known.
// Calls follow the call rendering (model/callRendering.ts): structured in 'template' mode, the
// assistant turn's own text in 'text' mode (TRL only: OpenAI calls tools through tool_calls alone).
import { assistantText, templateTools } from '../../model/messages';
import type { CallRendering } from '../../model/callRendering';
import type { Sample, ToolCall, Turn } from '../../dataset/sample';
import { systemPrompt } from '../../dataset/formats/embedded';
import { resultPayload } from '../../dataset/formats/common';

export type Dialect = 'openai' | 'trl';

export interface ChatToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string | Record<string, unknown> };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  name?: string;
}

/** Call ids of one record: the source's where it has them, else fresh; and which calls still await a result. */
export class CallLedger {
  private used = new Set<string>();
  private pending: { id: string; name: string }[] = [];
  private n = 0;

  constructor(readonly dialect: Dialect) {}

  private fresh(): string {
    let id: string;
    do id = `call_${++this.n}`;
    while (this.used.has(id));
    return id;
  }

  /** Calls written as text ('text' mode): no tool_calls, but the results that follow are still named after them. */
  expect(calls: readonly ToolCall[]): void {
    for (const c of calls) this.pending.push({ id: '', name: c.name });
  }

  calls(calls: readonly ToolCall[]): ChatToolCall[] {
    return calls.map((c) => {
      if (this.dialect === 'trl') {
        this.pending.push({ id: '', name: c.name });
        return { type: 'function', function: { name: c.name, arguments: c.arguments } };
      }
      const id = c.id && !this.used.has(c.id) ? c.id : this.fresh();
      this.used.add(id);
      this.pending.push({ id, name: c.name });
      return { id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } };
    });
  }

  /** The call a tool result answers: by id, else by function name, else the oldest unanswered. */
  answer(turn: Turn): { id: string; name: string } | undefined {
    let k = turn.toolCallId === undefined ? -1 : this.pending.findIndex((p) => p.id !== '' && p.id === turn.toolCallId);
    if (k < 0 && turn.name !== undefined) k = this.pending.findIndex((p) => p.name === turn.name);
    if (k < 0 && turn.toolCallId !== undefined) k = this.pending.findIndex((p) => p.name === turn.toolCallId);
    if (k < 0 && this.pending.length) k = 0;
    return k < 0 ? undefined : this.pending.splice(k, 1)[0];
  }

  /** OpenAI: a call must have its result before the conversation moves on. */
  unanswered(): string | undefined {
    if (this.dialect === 'trl' || this.pending.length === 0) return undefined;
    return `call ${this.pending.map((p) => p.name).join(', ')} has no tool result (OpenAI requires one per call)`;
  }
}

export function assistantMessage(calls: readonly ToolCall[] | undefined, text: string, ledger: CallLedger, mode: CallRendering = 'template'): ChatMessage {
  if (!calls?.length) return { role: 'assistant', content: text };
  if (mode === 'text') {
    ledger.expect(calls);
    return { role: 'assistant', content: text };
  }
  const tool_calls = ledger.calls(calls);
  // Hugging Face templates and TRL's own checks read `content` on every message.
  return ledger.dialect === 'trl' ? { role: 'assistant', content: '', tool_calls } : { role: 'assistant', tool_calls };
}

/**
 * Whether the system prompt is kept whole with its own tool listing and no tools field: 'text'
 * mode on a format that lists the tools in its system prompt (ToolACE, Hermes, Glaive), as
 * calibration rendered it; handing the template the tools too would list them twice.
 */
export const toolsInSystem = (sample: Sample, mode: CallRendering): boolean => sample.tools.length > 0 && templateTools(sample, mode).length === 0;

/**
 * The messages of `turns` (system turns folded into one leading system message, without the tool
 * listing some formats embed there unless `toolsInSystem`: the tools travel in their own field). A
 * reason instead when the turns cannot be said in this dialect.
 */
export function chatMessages(sample: Sample, turns: readonly Turn[], ledger: CallLedger, mode: CallRendering = 'template'): { messages: ChatMessage[] } | { reason: string } {
  const messages: ChatMessage[] = [];
  const systemTurns = turns.filter((t) => t.role === 'system');
  const system = toolsInSystem(sample, mode) ? systemTurns.map((t) => t.content).join('\n') : systemPrompt({ ...sample, turns: systemTurns });
  if (system) messages.push({ role: 'system', content: system });
  for (const t of turns) {
    if (t.role === 'system') continue;
    if (t.role !== 'tool_result') {
      const open = ledger.unanswered();
      if (open) return { reason: open };
    }
    if (t.role === 'user') messages.push({ role: 'user', content: t.content });
    else if (t.role === 'assistant') messages.push(assistantMessage(t.calls, mode === 'text' ? assistantText(t) : t.content, ledger, mode));
    else {
      for (const r of results(sample, t)) {
        const call = ledger.answer(r);
        if (ledger.dialect === 'openai') {
          if (!call) return { reason: 'a tool result answers no call (OpenAI needs the call it answers)' };
          messages.push({ role: 'tool', tool_call_id: call.id, content: r.content });
        } else {
          const name = r.name ?? call?.name;
          messages.push(name === undefined ? { role: 'tool', content: r.content } : { role: 'tool', content: r.content, name });
        }
      }
    }
  }
  // Calls of a final assistant turn (an SFT target) have no results yet; any other must.
  const last = turns.filter((t) => t.role !== 'system').at(-1);
  const open = last?.role === 'assistant' ? undefined : ledger.unanswered();
  return open ? { reason: open } : { messages };
}

const RESPONSE_BLOCK = /<tool_response>\s*([\s\S]*?)\s*<\/tool_response>/g;

/**
 * The results one turn carries. A Hermes tool turn answering parallel calls holds one
 * `<tool_response>` block per call; chat formats want one tool message per call, matched by the
 * function name the block gives.
 */
export function results(sample: Sample, turn: Turn): Turn[] {
  if (sample.format !== 'hermes') return [{ ...turn, content: resultPayload(sample, turn) }];
  const blocks = [...turn.content.matchAll(RESPONSE_BLOCK)];
  if (blocks.length < 2 || turn.content.replace(RESPONSE_BLOCK, '').trim() !== '') return [{ ...turn, content: resultPayload(sample, turn) }];
  return blocks.map((b) => {
    let name: unknown;
    try {
      name = (JSON.parse(b[1]) as { name?: unknown }).name;
    } catch {
      name = undefined;
    }
    return typeof name === 'string' ? { role: 'tool_result', content: b[1], name } : { role: 'tool_result', content: b[1] };
  });
}

/** The prompt's messages must end where the model speaks next: on a user or tool message. */
export function promptProblem(turns: readonly Turn[]): string | undefined {
  const body = turns.filter((t) => t.role !== 'system');
  if (body.length === 0) return 'the prompt has no user turn';
  const last = body[body.length - 1];
  return last.role === 'user' || last.role === 'tool_result' ? undefined : `the prompt ends on an ${last.role} turn, not a user or tool turn`;
}
