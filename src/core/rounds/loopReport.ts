// What a finished loop leaves behind, the same from `itool loop` and from the command palette:
// WORKDIR/loop-results.json (options, every stage's numbers and seconds) and WORKDIR/loop-results.md
// (the README's evidence table: held-out accuracy and error kinds after warm-up and each round).
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomicWrite';
import { ERROR_KINDS } from '../toolcall/types';
import { VARIANT_LABELS, type LoopOptions, type LoopResult, type LoopVariant } from './loop';
import type { RoundEvaluation } from './types';

const pct = (e: RoundEvaluation): string => `${(100 * e.accuracy).toFixed(1)}%`;
const kinds = (e: RoundEvaluation): string =>
  ERROR_KINDS.filter((k) => e.kinds[k])
    .map((k) => `${k} ${e.kinds[k]}`)
    .join(', ') || '—';

/** The README's evidence table (markdown). */
export function evidenceTable(r: LoopResult, rounds: number, variants: readonly LoopVariant[]): string {
  const head = `| ${['variant', 'warm-up', ...Array.from({ length: rounds }, (_, k) => `round ${k + 1}`)].join(' | ')} |`;
  const sep = `|---|---|${'---|'.repeat(rounds)}`;
  const rows = variants.map((v) => {
    const cells = Array.from({ length: rounds }, (_, k) => {
      const x = r.rounds.find((y) => y.variant === v && y.round === k + 1);
      return x ? `${pct(x.evaluation)} (${x.pairsAccepted} ${v === 'sft' ? 'samples' : 'pairs'})` : '—';
    });
    return `| ${[VARIANT_LABELS[v], pct(r.warmup.evaluation), ...cells].join(' | ')} |`;
  });
  const kindRows = [`| warm-up | ${kinds(r.warmup.evaluation)} |`, ...r.rounds.map((x) => `| ${x.variant} round ${x.round} | ${kinds(x.evaluation)} |`)];
  return [head, sep, ...rows, '', '| model | held-out samples with each error kind |', '|---|---|', ...kindRows].join('\n');
}

/** Seconds per stage, summed over the rounds of each variant (how long each stage took). */
export function stageTimes(r: LoopResult): string {
  const lines = [`warm-up: ${Object.entries(r.warmup.seconds).map(([k, v]) => `${k} ${v} s`).join(', ') || '(given)'}`];
  for (const x of r.rounds) lines.push(`${x.variant} round ${x.round}: ${Object.entries(x.seconds).map(([k, v]) => `${k} ${v} s`).join(', ')}`);
  return lines.join('\n');
}

/** Write loop-results.json and loop-results.md into the loop's work folder; their paths. */
export async function writeLoopReport(o: LoopOptions, result: LoopResult, seconds: number): Promise<{ json: string; markdown: string; table: string }> {
  const json = join(o.workDir, 'loop-results.json');
  const markdown = join(o.workDir, 'loop-results.md');
  const table = evidenceTable(result, o.rounds, o.variants);
  const options = { ...o, log: undefined, signal: undefined };
  await writeFileAtomic(json, `${JSON.stringify({ options, result, seconds }, null, 2)}\n`);
  await writeFileAtomic(markdown, `# Loop results\n\n${table}\n\nSeconds per stage:\n\n\`\`\`\n${stageTimes(result)}\n\`\`\`\n\nTotal ${(seconds / 60).toFixed(1)} min.\n`);
  return { json, markdown, table };
}
