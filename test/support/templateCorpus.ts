// The chat-template conformance corpus (test/fixtures/chat_templates): templates, sample records
// and Python's reference renders (scripts/templates/render_reference.py), and the product's render
// of each case through the same path calibration uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS } from '../../src/core/dataset/formats';
import type { Sample } from '../../src/core/dataset/sample';
import { ChatTemplate } from '../../src/core/model/chatTemplate';
import { chatMessages, templateTools } from '../../src/core/model/messages';
import type { CallRendering } from '../../src/core/model/callRendering';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'chat_templates');

export interface CorpusTemplate {
  name: string;
  template: string;
  specialTokens: Record<string, string>;
}
export interface ReferenceCase {
  template: string;
  templateSha256: string;
  sample: string;
  calls: 'text' | 'template';
  arguments?: 'object' | 'string';
  prompt?: string;
  full?: string;
  error?: string;
  errorAsString?: string;
}
export interface References {
  generator: string;
  now: string;
  cases: ReferenceCase[];
  /** Template snippets over `snippetContext`: Python's output or its error. */
  snippetContext: Record<string, unknown>;
  snippets: { template: string; ok?: string; error?: string }[];
}

const jsonl = (file: string): unknown[] => readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);

export function loadCorpus(): { templates: CorpusTemplate[]; samples: Map<string, Sample>; references: References } {
  const templates = JSON.parse(readFileSync(join(FIXTURES, 'corpus.json'), 'utf8')) as CorpusTemplate[];
  const samples = new Map<string, Sample>();
  jsonl('samples.jsonl').forEach((r, i) => {
    const s = FORMATS.openai.read(r, i);
    samples.set(s.id, s);
  });
  jsonl('toolace.jsonl').forEach((r, i) => {
    const s = FORMATS.toolace.read(r, i);
    samples.set(s.id, s);
  });
  const references = JSON.parse(readFileSync(join(FIXTURES, 'references.json'), 'utf8')) as References;
  return { templates, samples, references };
}

/** A ChatTemplate over a corpus entry, its clock fixed to the references' `now`. */
export function corpusTemplate(t: CorpusTemplate, now: string): ChatTemplate {
  const ct = ChatTemplate.fromText(t.template, t.specialTokens, t.name);
  ct.now = () => new Date(now);
  return ct;
}

/** A case as the references hold it: the prompt (turns before the answer, generation prompt on) and the full render, or the error. */
export function renderCase(ct: ChatTemplate, s: Sample, calls: CallRendering): { prompt?: string; full?: string; error?: string } {
  const tools = templateTools(s, calls);
  try {
    return {
      prompt: ct.render(chatMessages(s, calls, s.turns.slice(0, s.referenceIndex)), tools, true),
      full: ct.render(chatMessages(s, calls), tools, false),
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
