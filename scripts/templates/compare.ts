// Compares the product's renders with Python's on another set of templates (a developer's check
// beyond the committed corpus): render references first with
//   python3 scripts/templates/render_reference.py --corpus TEMPLATES.json --out REFS.json
// then: node --import tsx scripts/templates/compare.ts TEMPLATES.json REFS.json
// TEMPLATES.json: [{"name", "template", "specialTokens"}]. Prints every case that differs, and a summary.
import { readFileSync } from 'node:fs';
import { corpusTemplate, loadCorpus, renderCase, type CorpusTemplate, type References } from '../../test/support/templateCorpus';

const [corpusFile, refsFile] = process.argv.slice(2);
const templates = JSON.parse(readFileSync(corpusFile, 'utf8')) as CorpusTemplate[];
const refs = JSON.parse(readFileSync(refsFile, 'utf8')) as References;
const { samples } = loadCorpus();
const byName = new Map(templates.map((t) => [t.name, t]));
const tally = { identical: 0, refusedBoth: 0, differ: 0, productRaised: 0, productRendered: 0 };
for (const c of refs.cases) {
  const s = samples.get(c.sample)!;
  const ct = corpusTemplate(byName.get(c.template)!, refs.now);
  const { prompt, full, error } = renderCase(ct, s, c.calls);
  const label = `${c.template} × ${c.sample} (${c.calls})`;
  if (c.error !== undefined) {
    if (error !== undefined) tally.refusedBoth++;
    else {
      tally.productRendered++;
      console.log(`RENDERED ${label}: Python raises ${c.error}`);
    }
  } else if (error !== undefined) {
    tally.productRaised++;
    console.log(`RAISED ${label}: ${error.slice(0, 200)}`);
  } else if (prompt !== c.prompt || full !== c.full) {
    tally.differ++;
    const [a, b] = prompt !== c.prompt ? [prompt!, c.prompt!] : [full!, c.full!];
    let k = 0;
    while (k < a.length && a[k] === b[k]) k++;
    console.log(`DIFFERS ${label} (${prompt !== c.prompt ? 'prompt' : 'full'} at ${k}):\n   product ${JSON.stringify(a.slice(Math.max(0, k - 30), k + 50))}\n   Python  ${JSON.stringify(b.slice(Math.max(0, k - 30), k + 50))}`);
  } else tally.identical++;
}
console.log(JSON.stringify(tally));
