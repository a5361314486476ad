// Where the synthetic corpus gets its function documentation: every BFCL question file in a folder
// (the functions of all its records, with the values BFCL's possible answers give their
// parameters as examples), or, on a clean clone without that data, a bundled set extracted from
// the demo slice that ships in the repository (demo/datasets/bfcl, Apache-2.0, BFCL authors).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import bundled from './bfclDemoFunctions.json';

/** A function as BFCL documents it. */
export interface FunctionDoc {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** A function doc plus, per parameter, the accepted-value lists BFCL's ground truth gave it. */
export interface SourcedDoc extends FunctionDoc {
  examples?: Record<string, unknown[][]>;
}

export interface DocSource {
  kind: 'bfcl' | 'bundled';
  /** The folder read (kind 'bfcl'). */
  dir?: string;
  /** Question files read, by name. */
  files: string[];
  /** Function entries seen over all records, before deduplication. */
  seen: number;
  /** Entries dropped as exact repeats (same name and schema). */
  duplicates: number;
  /** Distinct schemas dropped because an earlier one had the same name (a tool list needs unique names). */
  nameVariants: number;
  docs: SourcedDoc[];
}

/** The default place of the BFCL data in this workspace. */
export const DEFAULT_BFCL_DIR = '/work/shared/data/bfcl';

const QUESTION_FILE = /^BFCL_v\d+_[\w-]+\.json$/;
/** Example lists kept per parameter: enough variety, and a bounded bundle. */
const MAX_EXAMPLES = 6;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Records of a BFCL file: JSON Lines (as BFCL ships them) or one JSON array. Broken lines are skipped. */
function records(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('[')) {
    try {
      const all = JSON.parse(text) as unknown;
      if (Array.isArray(all)) return all;
    } catch {
      // not one array after all: read it as lines
    }
  }
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a broken line loses only itself
    }
  }
  return out;
}

function asDoc(v: unknown): FunctionDoc | undefined {
  if (!isObj(v) || typeof v.name !== 'string' || !v.name) return undefined;
  const doc: FunctionDoc = { name: v.name };
  if (typeof v.description === 'string') doc.description = v.description;
  if (isObj(v.parameters)) doc.parameters = v.parameters;
  return doc;
}

/** Canonical JSON (sorted keys), for "same schema". */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * The function docs of every BFCL question file in `dir` (files in name order, functions in order
 * of first appearance), deduplicated by name and schema; examples from the files of the same name
 * under `dir/possible_answer/`.
 */
export function readBfclDocs(dir: string): DocSource {
  const files = readdirSync(dir).filter((f) => QUESTION_FILE.test(f) && statSync(join(dir, f)).isFile()).sort();
  const byName = new Map<string, SourcedDoc>();
  const schemas = new Set<string>();
  let seen = 0;
  let duplicates = 0;
  let nameVariants = 0;
  const examples = new Map<string, Map<string, Map<string, unknown[]>>>();
  // Files whose records list their functions; multi-turn, memory and web_search records name
  // classes documented elsewhere (multi_turn_func_doc/) and give no docs here.
  const used: string[] = [];
  for (const f of files) {
    let has = false;
    for (const rec of records(join(dir, f))) {
      if (!isObj(rec) || !Array.isArray(rec.function)) continue;
      has = true;
      for (const raw of rec.function) {
        const doc = asDoc(raw);
        if (!doc) continue;
        seen++;
        const key = `${doc.name}\u0000${canonical(doc.parameters ?? null)}`;
        if (schemas.has(key)) {
          duplicates++;
          continue;
        }
        schemas.add(key);
        if (byName.has(doc.name)) nameVariants++;
        else byName.set(doc.name, doc);
      }
    }
    if (!has) continue;
    used.push(f);
    const answers = join(dir, 'possible_answer', f);
    if (!existsSync(answers)) continue;
    for (const rec of records(answers)) {
      if (!isObj(rec) || !Array.isArray(rec.ground_truth)) continue;
      for (const entry of rec.ground_truth) {
        if (!isObj(entry)) continue;
        for (const [fn, params] of Object.entries(entry)) {
          if (!isObj(params)) continue;
          let perFn = examples.get(fn);
          if (!perFn) examples.set(fn, (perFn = new Map()));
          for (const [p, acc] of Object.entries(params)) {
            if (!Array.isArray(acc) || !acc.some((a) => a !== '')) continue;
            let lists = perFn.get(p);
            if (!lists) perFn.set(p, (lists = new Map()));
            if (lists.size < MAX_EXAMPLES) lists.set(canonical(acc), acc);
          }
        }
      }
    }
  }
  const docs = [...byName.values()].map((d): SourcedDoc => {
    const ex = examples.get(d.name);
    return ex && ex.size ? { ...d, examples: Object.fromEntries([...ex].map(([p, lists]) => [p, [...lists.values()]])) } : d;
  });
  return { kind: 'bfcl', dir, files: used, seen, duplicates, nameVariants, docs };
}

/** The bundled set (see bfclDemoFunctions.json: the docs readBfclDocs gives for demo/datasets/bfcl). */
export function bundledDocs(): DocSource {
  const b = bundled as unknown as { files: string[]; seen: number; duplicates: number; nameVariants: number; functions: SourcedDoc[] };
  return { kind: 'bundled', files: b.files, seen: b.seen, duplicates: b.duplicates, nameVariants: b.nameVariants, docs: b.functions };
}

/** True when `dir` holds at least one BFCL question file. */
export function hasBfclData(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => QUESTION_FILE.test(f));
  } catch {
    return false;
  }
}

/**
 * The docs to generate from: `bfclDir` (default DEFAULT_BFCL_DIR) when it holds BFCL question
 * files, else the bundled set, with a note saying why.
 */
export function loadDocs(bfclDir?: string): { source: DocSource; note?: string } {
  const dir = bfclDir ?? DEFAULT_BFCL_DIR;
  if (hasBfclData(dir)) return { source: readBfclDocs(dir) };
  const why = existsSync(dir) ? `${dir} holds no BFCL_v*_*.json question file` : `${dir} does not exist`;
  return { source: bundledDocs(), note: `${why}: using the bundled function docs from demo/datasets/bfcl` };
}

/**
 * The bundle's file content for `dir` (demo/datasets/bfcl). After the demo slice changes,
 * regenerate it (a unit test compares the two):
 *   node --import tsx -e "require('fs').writeFileSync('src/core/synth/bfclDemoFunctions.json', require('./src/core/synth/docs').bundleText('demo/datasets/bfcl'))"
 */
export function bundleText(dir: string): string {
  const s = readBfclDocs(dir);
  const head = {
    source: 'Function docs and possible-answer values of demo/datasets/bfcl (BFCL v4, gorilla repository, snapshot 2026-03), read by readBfclDocs in docs.ts',
    license: 'Apache-2.0; copyright the Gorilla / BFCL authors (see demo/datasets/bfcl/LICENSE)',
    files: s.files,
    seen: s.seen,
    duplicates: s.duplicates,
    nameVariants: s.nameVariants,
  };
  const body = s.docs.map((d) => `    ${JSON.stringify(d)}`).join(',\n');
  return `${JSON.stringify(head, null, 2).replace(/\n}$/, ',')}\n  "functions": [\n${body}\n  ]\n}\n`;
}
