// "Scored as": what calibration and search will score for a sample, before a GPU-hour is spent on
// it. `itool render` prints it and the panel's detail view shows it; both come through here, and
// here goes through scoreRequestFor, the very function calibration uses.
import type { Sample } from '../dataset/sample';
import { ChatTemplate, type ChatTemplateSource } from '../model/chatTemplate';
import { callRenderingFor, type CallRendering, type CallRenderingSetting } from '../model/callRendering';
import { ScoreSkip, scoreRequestFor, type Renderer } from '../model/prompt';

export type ScoredAs =
  | { id: string; index: number; calls: CallRendering; prompt: string; response: string }
  | { id: string; index: number; calls: CallRendering; error: string; kind: string };

/** A renderer over a chat template alone: no model is loaded to show what would be scored. */
export function templateRenderer(template: ChatTemplate): Renderer {
  return { chatTemplate: async (messages, tools, opts = {}) => template.render(messages, tools, !!opts.addGenerationPrompt) };
}

/** The template of a model folder (its tokenizer_config.json or chat_template.jinja) or a template file. */
export async function loadRenderer(source: ChatTemplateSource): Promise<Renderer> {
  return templateRenderer(await ChatTemplate.load(source));
}

/** The prompt and the scored response of one sample, or why it cannot be scored. */
export async function scoredAs(renderer: Renderer, sample: Sample, calls: CallRenderingSetting = 'auto'): Promise<ScoredAs> {
  const mode = callRenderingFor(sample.format, calls);
  const base = { id: sample.id, index: sample.index, calls: mode };
  try {
    const req = await scoreRequestFor(renderer, sample, { calls });
    if (!req) return { ...base, error: 'the sample has no reference answer to score', kind: 'no-reference' };
    return { ...base, prompt: req.prompt, response: req.response };
  } catch (e) {
    if (e instanceof ScoreSkip) return { ...base, error: e.message, kind: e.kind };
    throw e;
  }
}
