// Name drills for the train split: a train sample whose function names are rewritten with a
// per-sample word map, so the only way to write the right name is to copy it from the tool list.
//
// Why: a small model trained on real names learns "query about triangle areas → the name it saw
// for triangle areas" instead of copying from its prompt, and held-out functions (unseen names)
// then get a memorised train name (measured: wrong_function was the main error kind of the
// warm-ups, see the README's loop section). With the words of the names shuffled per sample, the
// name tokens of the answer can only be predicted by looking them up in the prompt.
//
// The map is injective per sample and shared by every name in it, so look-alike distractors stay
// look-alike (`get_weather` / `get_weather_legacy` → `plot_river` / `plot_river_legacy`), and a
// renamed copy's description ("Deprecated: use X instead.") names the new X. Parameter names are
// left alone: the queries phrase them ("company name"), and renaming them would break that link.
import type { PossibleAnswer, ToolDef } from '../dataset/sample';
import { nameTokens } from './functions';
import type { Rng } from './rng';

/** The suffixes of renamed-copy distractors keep their meaning (splitGenerator.ts COPY_KINDS). */
const KEEP = new Set(['legacy', 'v1', 'mock', 'sandbox']);

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'du', 'fi', 'go', 'ha', 'ju', 'be', 'co', 'ri', 'mu', 'xe'];

/** A word for the map: a train-name word (real-looking names) or a made-up one (no meaning to lean on). */
function drawWord(rng: Rng, pool: readonly string[]): string {
  if (pool.length && rng.chance(0.6)) return rng.pick(pool);
  const n = rng.int(2, 3);
  return Array.from({ length: n }, () => rng.pick(SYLLABLES)).join('');
}

/** Rewrite `name` token by token with `map`, keeping its separators (`.`, `_`) and shape. */
function rewrite(name: string, map: ReadonlyMap<string, string>): string {
  // Split into word runs and separators; camelCase runs are mapped as their lower-case tokens joined by `_`.
  return name.replace(/[A-Za-z0-9]+/g, (run) => {
    const toks = nameTokens(run);
    return toks.map((t) => map.get(t) ?? t).join('_');
  });
}

export interface Renamed {
  query: string;
  tools: ToolDef[];
  groundTruth: PossibleAnswer[];
  /** Old name → new name, for every tool of the sample. */
  names: Map<string, string>;
}

/**
 * The sample's tools and answer under new names, or undefined when the words cannot be mapped
 * apart (then the sample keeps its real names). `pool`: words to draw from.
 */
export function renameFunctions(query: string, tools: readonly ToolDef[], groundTruth: readonly PossibleAnswer[], rng: Rng, pool: readonly string[]): Renamed | undefined {
  const words = [...new Set(tools.flatMap((t) => nameTokens(t.name)))].filter((w) => !KEEP.has(w));
  const map = new Map<string, string>();
  const used = new Set<string>();
  for (const w of words) {
    let to: string | undefined;
    for (let tries = 0; tries < 20 && !to; tries++) {
      const c = drawWord(rng, pool);
      if (c !== w && !used.has(c) && !words.includes(c) && !KEEP.has(c)) to = c;
    }
    if (!to) return undefined;
    map.set(w, to);
    used.add(to);
  }
  const names = new Map(tools.map((t) => [t.name, rewrite(t.name, map)]));
  if (new Set(names.values()).size < names.size) return undefined;
  // Whole names only (not inside a word or a longer name), longest first so `f_legacy` wins over `f`.
  const olds = [...names.keys()].sort((a, b) => b.length - a.length);
  const quoted = new RegExp(`(?<![\\w.])(?:${olds.map((o) => o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\w])`, 'g');
  // Names quoted in descriptions ("use X instead") and queries ("Please use X") follow the rename.
  const describe = <T extends string | undefined>(text: T): T => {
    if (text === undefined) return text;
    return text.replace(quoted, (o) => names.get(o)!) as T;
  };
  return {
    query: describe(query),
    tools: tools.map((t) => ({ ...t, name: names.get(t.name)!, ...(t.description !== undefined ? { description: describe(t.description) } : {}) })),
    groundTruth: groundTruth.map((call) => Object.fromEntries(Object.entries(call).map(([n, args]) => [names.get(n) ?? n, args]))),
    names,
  };
}
