// Prints the README's chat-template compatibility table from the conformance corpus
// (test/fixtures/chat_templates): per template, how many of the 8 cases are scored, and why the
// others are not, as the product reports them. Run: node --import tsx scripts/templates/compat_table.ts
import { scoredAs, templateRenderer } from '../../src/core/calibrate/scoredAs';
import { corpusTemplate, loadCorpus } from '../../test/support/templateCorpus';

async function main(): Promise<void> {
  const { templates, samples, references } = loadCorpus();
  const rows: string[] = ['| template | scored | verdict | not scored, and why (the template\'s own reason) |', '|---|---|---|---|'];
  for (const t of templates) {
    const cases = references.cases.filter((c) => c.template === t.name);
    let scored = 0;
    const why = new Map<string, string[]>();
    let dropsTemplateOnly = false;
    for (const c of cases) {
      const r = await scoredAs(templateRenderer(corpusTemplate(t, references.now)), samples.get(c.sample)!, c.calls);
      if (!('error' in r)) {
        scored++;
        continue;
      }
      if (r.kind === 'drops-calls' && c.calls === 'template') dropsTemplateOnly = true;
      const reason = r.kind === 'template-failed' ? r.error.slice(r.error.indexOf(') failed: ') + ') failed: '.length) : r.kind;
      why.set(reason, [...(why.get(reason) ?? []), `${c.sample}${c.sample.startsWith('toolace') ? ` (${c.calls})` : ''}`]);
    }
    const raises = [...why.keys()].some((k) => !['not-a-prefix', 'drops-calls'].includes(k));
    const verdict = scored === cases.length ? 'works' : dropsTemplateOnly ? 'needs `--calls text`' : raises && scored === 0 ? 'refuses by design' : why.has('not-a-prefix') ? 'answer not cut out where earlier turns render differently' : raises ? 'refuses by design' : 'partly';
    const notes = [...why].map(([k, v]) => `${k.slice(0, 90)}: ${v.join(', ')}`).join('; ');
    rows.push(`| ${t.name.replace(/\|/g, '\\|')} | ${scored}/${cases.length} | ${verdict} | ${notes.replace(/\|/g, '\\|') || '—'} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

void main();
