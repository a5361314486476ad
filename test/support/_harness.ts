import { loadCorpus, corpusTemplate } from './templateCorpus';
import { chatMessages, templateTools } from '../../src/core/calibrate/messages';
const { templates, samples, references } = loadCorpus();
const byName = new Map(templates.map((t) => [t.name, t]));
let match = 0, mism = 0, bothErr = 0, jsErr = 0, jsOnly = 0;
const classes: Record<string, number> = {};
for (const c of references.cases) {
  const t = byName.get(c.template)!; const s = samples.get(c.sample)!;
  const ct = corpusTemplate(t, references.now);
  const before = s.turns.slice(0, s.referenceIndex);
  let prompt: string | undefined, full: string | undefined, err: string | undefined;
  try {
    prompt = ct.render(chatMessages(s, c.calls, before), templateTools(s, c.calls), true);
    full = ct.render(chatMessages(s, c.calls), templateTools(s, c.calls), false);
  } catch (e) { err = (e as Error).message; }
  if (c.error !== undefined) {
    if (err) bothErr++; else { jsOnly++; console.log('PY-ERR-ONLY', c.template, c.sample, c.calls, c.error.slice(0, 80)); }
  } else if (err) { jsErr++; console.log('JS-ERR', c.template, c.sample, c.calls, err.slice(0, 160)); }
  else if (prompt === c.prompt && full === c.full) match++;
  else {
    mism++;
    const [a, b] = prompt !== c.prompt ? [prompt!, c.prompt!] : [full!, c.full!];
    let k = 0; while (k < a.length && a[k] === b[k]) k++;
    console.log('MISMATCH', prompt !== c.prompt ? 'prompt' : 'full', c.template, c.sample, c.calls, '\n   js:', JSON.stringify(a.slice(Math.max(0, k - 30), k + 60)), '\n   py:', JSON.stringify(b.slice(Math.max(0, k - 30), k + 60)));
  }
}
console.log({ match, mism, bothErr, jsErr, jsOnly });
