// Reading logprobs out of /v1/completions answers. Servers differ (vLLM versions, SGLang, llama.cpp),
// so everything here is defensive: a shape we do not recognise comes back as a reason string, which
// the caller turns into a fallback or a PolicyError, never into silently wrong numbers.
import type { Continuation, TokenLogprob } from '../policy';

/** One position of the server's tokenization: text may be unknown (vLLM's first prompt entry). */
export interface ServerToken {
  text: string | null;
  logprob: number | null;
}

/** A response token without a logprob (null, or not a number): an invalid answer, asked again. */
export const NO_LOGPROB = 'a response token has no logprob (nothing before it to condition on)';
/** A sampled token without a logprob: an invalid answer, asked again. */
export const NO_SAMPLED_LOGPROB = 'a sampled token without a logprob';

export { impossibleLogprob } from '../policy';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function choices(json: unknown): Obj[] {
  const cs = isObj(json) && Array.isArray(json.choices) ? json.choices.filter(isObj) : [];
  return [...cs].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
}

/** `logprobs: {tokens, token_logprobs}` of a choice, or undefined when absent or malformed. */
function choiceTokens(c: Obj): ServerToken[] | undefined {
  const lp = c.logprobs;
  if (!isObj(lp) || !Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs)) return undefined;
  if (lp.tokens.length !== lp.token_logprobs.length) return undefined;
  const lps = lp.token_logprobs;
  return lp.tokens.map((t, i) => ({
    text: typeof t === 'string' ? t : null,
    logprob: typeof lps[i] === 'number' ? (lps[i] as number) : null,
  }));
}

// Markers tokenizers leave in per-token strings (SentencePiece "▁", byte-level "Ġ"/"Ċ", U+FFFD for
// a partial UTF-8 character), and whitespace that per-token decoding may drop.
const NORMALISE = /[\s\u2581\u0120\u010A\uFFFD]/gu;
const norm = (s: string): string => s.replace(NORMALISE, '');

/**
 * The response's tokens out of the server's tokens of prompt + response. The response ends the
 * text, so we anchor at the end: this survives a BOS token the server prepends to the echo (Llama,
 * Gemma) or prompt tokens decoded differently, which a prompt-length offset would not. A token
 * straddling the boundary counts as response (it carries response text). When the decoded tokens
 * spell the response exactly this is exact (same as text_offset ≥ len(prompt) when nothing is
 * prepended); otherwise we align ignoring whitespace and tokenizer markers, where a token made only
 * of whitespace right at the boundary counts as prompt.
 */
export function maskPrompt(tokens: ServerToken[], response: string): TokenLogprob[] | string {
  const texts = tokens.map((t) => t.text ?? '');
  const joined = texts.join('');
  let first: number;
  if (joined.endsWith(response)) {
    const boundary = joined.length - response.length;
    first = tokens.length;
    for (let i = 0, start = 0; i < tokens.length; start += texts[i].length, i++) {
      // A token of unknown text (vLLM's first prompt position) is prompt: nothing precedes it.
      if (tokens[i].text !== null && (start >= boundary || start + texts[i].length > boundary)) {
        first = i;
        break;
      }
    }
  } else {
    const want = norm(response).length;
    if (want === 0 || !norm(joined).endsWith(norm(response))) {
      return 'the server\'s tokens do not spell the scored text';
    }
    let have = 0;
    first = tokens.length;
    while (have < want && first > 0) have += norm(texts[--first]).length;
  }
  const out: TokenLogprob[] = [];
  for (let i = first; i < tokens.length; i++) {
    const { logprob } = tokens[i];
    if (logprob === null) return NO_LOGPROB;
    out.push({ token: texts[i], logprob });
  }
  return out;
}

/**
 * `echo: true` answer: logprobs cover the echoed prompt + response, then the generated token(s),
 * which we drop by count (usage.completion_tokens, else what we asked for). A server that ignores
 * echo (llama.cpp, Ollama) answers with the generated tokens only: that is a reason, not a result.
 */
export function parseEcho(json: unknown, response: string, maxTokens: number): TokenLogprob[] | string {
  const echoed = echoTokens(json, maxTokens);
  return typeof echoed === 'string' ? echoed : maskPrompt(echoed, response);
}

/** The echoed prompt's tokens of an `echo: true` answer (what parseEcho masks). */
export function echoTokens(json: unknown, maxTokens: number): ServerToken[] | string {
  const c = choices(json)[0];
  const toks = c && choiceTokens(c);
  if (!toks) return 'no logprobs in the answer';
  const usage = isObj(json) && isObj(json.usage) ? json.usage : undefined;
  const generated = typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : maxTokens;
  const echoed = toks.slice(0, Math.max(0, toks.length - generated));
  if (echoed.length === 0) return 'the logprobs cover the generated text only (echo ignored)';
  return echoed;
}

/**
 * vLLM's `prompt_logprobs`: per prompt position null (the first) or {token id: {logprob, rank,
 * decoded_token}} holding the prompt's own token and the top-k. The prompt's token is the entry of
 * highest rank: vLLM adds it beside the top-k (rank k+1) only when it is not among them, so when
 * there is one entry, or it is the top token, the highest rank is still it.
 */
export function parsePromptLogprobs(json: unknown, response: string): TokenLogprob[] | string {
  const toks = promptLogprobTokens(json);
  return typeof toks === 'string' ? toks : maskPrompt(toks, response);
}

/** The prompt's tokens of a `prompt_logprobs` answer (what parsePromptLogprobs masks). */
export function promptLogprobTokens(json: unknown): ServerToken[] | string {
  const c = choices(json)[0];
  const pl = c && Array.isArray(c.prompt_logprobs) ? c.prompt_logprobs : isObj(json) && Array.isArray(json.prompt_logprobs) ? json.prompt_logprobs : undefined;
  if (!pl || pl.length === 0) return 'no prompt_logprobs in the answer';
  const toks: ServerToken[] = [];
  for (const pos of pl) {
    if (!isObj(pos)) {
      toks.push({ text: null, logprob: null });
      continue;
    }
    let best: Obj | undefined;
    for (const v of Object.values(pos)) {
      if (!isObj(v) || typeof v.logprob !== 'number') continue;
      if (!best || Number(v.rank ?? 0) > Number(best.rank ?? 0)) best = v;
    }
    if (!best) return 'malformed prompt_logprobs';
    if (Object.keys(pos).length > 1 && typeof best.rank !== 'number') return 'prompt_logprobs without ranks';
    toks.push({ text: typeof best.decoded_token === 'string' ? best.decoded_token : null, logprob: best.logprob as number });
  }
  if (toks.every((t) => t.text === null)) return 'prompt_logprobs without decoded tokens';
  return toks;
}

/**
 * Sampled continuations. The text is the server's; the tokens are cut to it: after a stop string or
 * the end-of-sequence token the server keeps the token in its logprobs but not in the text, and a
 * Continuation's tokens spell its text. (When the decoded tokens do not spell a prefix-match of the
 * text, we keep them all rather than guess.)
 */
export function parseSample(json: unknown): Continuation[] | string {
  const out: Continuation[] = [];
  for (const c of choices(json)) {
    if (typeof c.text !== 'string') return 'a choice without text';
    const toks = choiceTokens(c);
    if (!toks) return 'no logprobs for the sampled tokens';
    let keep = toks.length;
    const texts = toks.map((t) => t.text ?? '');
    if (texts.join('').startsWith(c.text)) {
      let start = 0;
      keep = 0;
      while (keep < toks.length && start < c.text.length) start += texts[keep++].length;
    }
    const tokens: TokenLogprob[] = [];
    for (let i = 0; i < keep; i++) {
      const lp = toks[i].logprob;
      if (lp === null) return NO_SAMPLED_LOGPROB;
      tokens.push({ token: texts[i], logprob: lp });
    }
    out.push({ text: c.text, tokens, finishReason: c.finish_reason === 'length' ? 'length' : 'stop' });
  }
  return out;
}
