// A sample's turns as the ecosystem passes them to a chat template (transformers'
// apply_chat_template, vLLM's chat endpoints): Hugging Face's message convention, with every field
// some real template reads. Assistant calls carry an id (the dataset's, or a generated one of 9
// alphanumerics, which every template accepts: Mistral-Nemo's insists on exactly that), a type and
// the arguments as an object; tool results carry the id and the name of the call they answer
// (Hermes 2 Pro reads `name`, Mistral reads `tool_call_id`); tools are {"type": "function", ...}.
//
// Two ways to put a call in the prompt (`CallRendering`, callRendering.ts):
//   - 'template': structured `tool_calls`, written by the template in its own call syntax;
//   - 'text': the assistant turn exactly as the dataset writes it (ToolACE python calls, Hermes
//     `<tool_call>` text, Glaive `<functioncall>`), as plain assistant content.
// Which one the model was trained on follows from how the source holds its calls: as text
// (ToolACE, LLaMA-Factory sharegpt, Hermes, Glaive) or as structures (OpenAI, LLaMA-Factory
// messages, whose v1 trainer hands tool_call parts to the template as tool_calls, xLAM, BFCL).
import { createHash } from 'node:crypto';
import type { FormatId, Sample, ToolCall, ToolDef, Turn } from '../dataset/sample';
import { textBesideCalls } from '../dataset/formats/llamafactoryMessages';
import type { ChatMessage, ChatToolCall } from './policy';
import type { CallRendering } from './callRendering';

/**
 * Formats whose tool list is part of the system prompt's own text: in 'text' mode the prompt is
 * that text, so the template is not handed the tools a second time.
 */
const TOOLS_IN_SYSTEM_TEXT: ReadonlySet<FormatId> = new Set(['toolace', 'hermes', 'glaive']);

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The id of a call the dataset gives none: 9 alphanumerics derived from the sample, turn and call
 * position, so the same sample renders the same text every time (calibration resumes, the search
 * continues the same prompt). scripts/templates/render_reference.py computes the same ids.
 */
export function generatedCallId(sampleId: string, turn: number, call: number): string {
  const digest = createHash('sha256').update(`${sampleId}:${turn}:${call}`).digest();
  let id = '';
  for (let k = 0; k < 9; k++) id += ID_ALPHABET[digest[k] % ID_ALPHABET.length];
  return id;
}

/** Calls as text when the source holds them as structures only (OpenAI `tool_calls` with no content). */
function callsAsText(calls: readonly ToolCall[]): string {
  return JSON.stringify(calls.map((c) => ({ name: c.name, arguments: c.arguments })));
}

/** What an assistant turn says in 'text' mode: its own text, or its calls as JSON when it has none. */
export function assistantText(t: Turn): string {
  return t.content !== '' || !t.calls?.length ? t.content : callsAsText(t.calls);
}

/**
 * `turns` (a prefix of the sample's, or all of them) as chat messages. Turn positions index the
 * sample's turns, so generated ids and the call a result answers are the same in every prefix.
 */
export function chatMessages(s: Sample, mode: CallRendering, turns: readonly Turn[] = s.turns): ChatMessage[] {
  const out: ChatMessage[] = [];
  // The calls of the latest assistant turn, to name the results that answer them.
  let pending: ChatToolCall[] = [];
  let answered = 0;
  turns.forEach((t, i) => {
    switch (t.role) {
      case 'system':
      case 'user':
        out.push({ role: t.role, content: t.content });
        return;
      case 'assistant': {
        if (t.calls?.length) {
          // Also in 'text' mode: the results that follow are named after these calls.
          pending = t.calls.map((c, k) => ({ id: c.id ?? generatedCallId(s.id, i, k), type: 'function', function: { name: c.name, arguments: c.arguments } }));
          answered = 0;
        }
        if (!t.calls?.length || mode === 'text') {
          out.push({ role: 'assistant', content: mode === 'text' ? assistantText(t) : t.content });
          return;
        }
        // "" rather than no key or null for a turn with no text: every template of the corpus
        // accepts it; some raise on a missing key (DeepSeek), others on null (Gemma, Llama 3.2).
        // Only OpenAI messages and LLaMA-Factory's content parts keep text beside their calls;
        // elsewhere the turn's text is the call text of the source format (python calls,
        // <tool_call> JSON), which the template rewrites.
        const beside = s.format === 'openai' ? t.content : s.format === 'llamafactory_v1' ? textBesideCalls(t) : '';
        out.push({ role: 'assistant', content: beside, tool_calls: pending });
        return;
      }
      case 'tool_result': {
        const call = (t.toolCallId !== undefined ? pending.find((c) => c.id === t.toolCallId) : undefined) ??
          (t.name !== undefined ? pending.find((c) => c.function.name === t.name) : undefined) ??
          pending[answered];
        answered++;
        const m: ChatMessage = { role: 'tool', content: t.content };
        const id = t.toolCallId ?? call?.id;
        if (id !== undefined) m.tool_call_id = id;
        const name = call?.function.name ?? t.name;
        if (name !== undefined) m.name = name;
        out.push(m);
        return;
      }
    }
  });
  return out;
}

/** The tools handed to the template: none in 'text' mode when the system prompt's text lists them. */
export function templateTools(s: Sample, mode: CallRendering): ToolDef[] {
  return mode === 'text' && TOOLS_IN_SYSTEM_TEXT.has(s.format) ? [] : s.tools;
}
