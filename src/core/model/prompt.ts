// From a normalised sample to what the policy scores: the prompt (every turn before the reference
// answer, in the model's own chat template, ending where the assistant begins) and the response
// (the reference answer exactly as that template writes it, end-of-turn marker included, since
// that is what the model was trained to produce).
//
// Never silent: a sample whose template raises, whose prompt is not a prefix of its full render,
// or whose scored answer does not hold the reference's calls (a template that ignores tool_calls)
// is refused with a ScoreSkip naming the reason, never scored on other text.
import { promptTurns, type Sample, type Turn } from '../dataset/sample';
import { PolicyError, type Policy, type ScoreRequest } from './policy';
import { assistantText, chatMessages, templateTools } from './messages';
import { callRenderingFor, type CallRendering, type CallRenderingSetting } from './callRendering';

/** All that rendering needs of a policy: its chat template (a template-only renderer will do). */
export type Renderer = Pick<Policy, 'chatTemplate'>;

export type SkipKind = 'template-failed' | 'not-a-prefix' | 'drops-calls' | 'drops-answer' | 'empty-answer';

/** Why a sample cannot be scored under this template, in words a user can act on. */
export class ScoreSkip extends PolicyError {
  constructor(readonly kind: SkipKind, message: string) {
    super(message);
    this.name = 'ScoreSkip';
  }
}

export interface RenderOptions {
  /** How calls are put in the prompt and the answer; 'auto' (default) follows the dataset's format. */
  calls?: CallRenderingSetting;
}

export interface ScoredPrompt extends ScoreRequest {
  /** 'calls' when the reference answer calls tools, 'text' when it answers in text. */
  group: 'calls' | 'text';
  /** The call rendering in force for this sample. */
  calls: CallRendering;
}

async function render(policy: Renderer, messages: Parameters<Policy['chatTemplate']>[0], s: Sample, mode: CallRendering, gen: boolean): Promise<string> {
  try {
    return await policy.chatTemplate(messages, templateTools(s, mode), { addGenerationPrompt: gen });
  } catch (e) {
    if (e instanceof PolicyError && e.name === 'TemplateRenderError') throw new ScoreSkip('template-failed', e.message);
    throw e;
  }
}

/** The prompt/response pair to score for a sample, or undefined when it has no reference answer. Throws ScoreSkip. */
export async function scoreRequestFor(policy: Renderer, s: Sample, opts: RenderOptions = {}): Promise<ScoredPrompt | undefined> {
  if (s.referenceIndex < 0) return undefined;
  const mode = callRenderingFor(s.format, opts.calls);
  const ref = s.turns[s.referenceIndex];
  const before = s.turns.slice(0, s.referenceIndex);
  const prompt = await render(policy, chatMessages(s, mode, before), s, mode, true);
  const full = await render(policy, chatMessages(s, mode, s.turns.slice(0, s.referenceIndex + 1)), s, mode, false);
  if (!full.startsWith(prompt)) {
    let k = 0;
    while (k < prompt.length && prompt[k] === full[k]) k++;
    throw new ScoreSkip(
      'not-a-prefix',
      `the rendered prompt is not a prefix of the rendered conversation (they part at character ${k}: prompt ${JSON.stringify(prompt.slice(k, k + 40))}, ` +
        `conversation ${JSON.stringify(full.slice(k, k + 40))}), so the answer the model writes after this prompt cannot be cut out`,
    );
  }
  let response = full.slice(prompt.length);
  // A template that writes the next assistant header after each turn puts it inside the answer:
  // the model never writes that header, it stops before it.
  const header = await generationHeader(policy, s, mode, before, prompt);
  if (header && response.endsWith(header) && response.length > header.length) response = response.slice(0, -header.length);
  if (response.trim() === '') throw new ScoreSkip('empty-answer', 'the template writes nothing for the reference answer');
  checkHolds(response, ref, mode);
  return { prompt, response, group: ref.calls?.length ? 'calls' : 'text', calls: mode };
}

/** What add_generation_prompt adds after these turns (the assistant header; `withHeader` is that render), or '' when it adds nothing. */
async function generationHeader(policy: Renderer, s: Sample, mode: CallRendering, before: Turn[], withHeader: string): Promise<string> {
  const without = await render(policy, chatMessages(s, mode, before), s, mode, false).catch(() => undefined);
  return without !== undefined && withHeader.startsWith(without) ? withHeader.slice(without.length) : '';
}

/**
 * The scored answer must hold what the reference says: in 'text' mode the turn's own text; in
 * 'template' mode each call's function name and every argument value in some spelling a template
 * writes (JSON, Python, or plain text). A template that ignores tool_calls fails here.
 */
function checkHolds(response: string, ref: Turn, mode: CallRendering): void {
  if (mode === 'text' || !ref.calls?.length) {
    const text = (mode === 'text' ? assistantText(ref) : ref.content).trim();
    if (text && !response.includes(text)) {
      throw new ScoreSkip('drops-answer', `the template does not write the reference answer's text (${JSON.stringify(text.slice(0, 60))}) into the scored answer ${JSON.stringify(response.slice(0, 60))}`);
    }
    return;
  }
  for (const call of ref.calls) {
    if (!response.includes(call.name)) {
      throw new ScoreSkip('drops-calls', `the template does not write the call to ${call.name} (it ignores tool_calls: the scored answer is ${JSON.stringify(response.slice(0, 60))}); try --calls text`);
    }
    for (const v of leaves(call.arguments)) {
      if (!spellings(v).some((sp) => response.includes(sp))) {
        throw new ScoreSkip('drops-calls', `the template does not write ${call.name}'s argument value ${JSON.stringify(v)} into the scored answer`);
      }
    }
  }
}

function leaves(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v !== null && typeof v === 'object') Object.values(v).forEach((x) => leaves(x, out));
  else out.push(v);
  return out;
}

function spellings(v: unknown): string[] {
  if (typeof v === 'string') return [v, JSON.stringify(v).slice(1, -1), v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")];
  if (typeof v === 'number') {
    // JavaScript's spelling, and Python's (1e-09, 1e+16, 2.0), which templates print through tojson/str.
    const js = String(v);
    const py = Math.abs(v) !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e16) ? v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : js;
    return Number.isInteger(v) ? [js, `${v}.0`, py] : [js, py];
  }
  if (typeof v === 'boolean') return v ? ['true', 'True'] : ['false', 'False'];
  return ['null', 'None'];
}

/**
 * The prompt the policy answers for a sample: every turn before the reference answer (all turns
 * when it has none) in the model's own chat template, ending where the assistant's answer begins.
 * The search continues this prompt with response prefixes.
 */
export async function promptFor(policy: Renderer, s: Sample, opts: RenderOptions = {}): Promise<string> {
  const mode = callRenderingFor(s.format, opts.calls);
  return render(policy, chatMessages(s, mode, promptTurns(s)), s, mode, true);
}
