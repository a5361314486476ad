// From a normalised sample to what the policy scores: the prompt (every turn before the reference
// answer, in the model's own chat template, ending where the assistant begins) and the response
// (the reference answer exactly as that template writes it, end-of-turn marker included, since
// that is what the model was trained to produce).
import { promptTurns, type Sample, type Turn } from '../dataset/sample';
import type { ChatMessage, Policy, ScoreRequest } from '../model/policy';

function toMessage(t: Turn): ChatMessage {
  switch (t.role) {
    case 'system':
      return { role: 'system', content: t.content };
    case 'user':
      return { role: 'user', content: t.content };
    case 'tool_result': {
      const m: ChatMessage = { role: 'tool', content: t.content };
      if (t.name) m.name = t.name;
      if (t.toolCallId) m.tool_call_id = t.toolCallId;
      return m;
    }
    case 'assistant':
      if (t.calls?.length) {
        // Calls go in the template's own tool-call syntax, so no call text of the source format.
        return { role: 'assistant', content: '', tool_calls: t.calls.map((c) => ({ type: 'function', function: { name: c.name, arguments: c.arguments } })) };
      }
      return { role: 'assistant', content: t.content };
  }
}

export interface ScoredPrompt extends ScoreRequest {
  /** 'calls' when the reference answer calls tools, 'text' when it answers in text. */
  group: 'calls' | 'text';
}

/** The prompt/response pair to score for a sample, or undefined when it has no reference answer. */
export async function scoreRequestFor(policy: Policy, s: Sample): Promise<ScoredPrompt | undefined> {
  if (s.referenceIndex < 0) return undefined;
  const before = s.turns.slice(0, s.referenceIndex).map(toMessage);
  const ref = s.turns[s.referenceIndex];
  const answer = toMessage(ref);
  const prompt = await policy.chatTemplate(before, s.tools, { addGenerationPrompt: true });
  const full = await policy.chatTemplate([...before, answer], s.tools, { addGenerationPrompt: false });
  // Templates render the conversation so far identically either way; if one does not (some strip
  // or reorder), fall back to the answer's own text rather than scoring the wrong span.
  const response = full.startsWith(prompt) ? full.slice(prompt.length) : ref.content;
  return { prompt, response, group: ref.calls?.length ? 'calls' : 'text' };
}

/**
 * The prompt the policy answers for a sample: every turn before the reference answer (all turns
 * when it has none) in the model's own chat template, ending where the assistant's answer begins.
 * The search continues this prompt with response prefixes.
 */
export async function promptFor(policy: Policy, s: Sample): Promise<string> {
  return policy.chatTemplate(promptTurns(s).map(toMessage), s.tools, { addGenerationPrompt: true });
}
