// BFCL's side files, read once per opened question file: the ground truth in
// possible_answer/<same name>, and the function docs of the classes that multi-turn, memory and
// web_search records name instead of listing their tools (multi_turn_func_doc/<class file>, one
// JSON function doc per line). Both are looked for beside the question file and one folder up, as
// BFCL's own data/ folder keeps them beside its question files.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MAX_NESTING, MAX_RECORD_BYTES, nestingExceeds } from '../recordIndexLimits';
import { FormatError, type Sample, type ToolDef } from '../sample';
import { readBfcl } from './bfcl';
import { toolDef } from './common';

export const CLASS_DOC_DIR = 'multi_turn_func_doc';

/**
 * Class name (`involved_classes`) → its doc file, as BFCL's executable_backend_config maps them.
 * BFCL runs memory with three backends (kv, vector, rec_sum), each with its own docs and class
 * `MemoryAPI_<backend>`, while the question file names only `MemoryAPI`: that one reads the kv
 * docs, the first backend BFCL lists (the backend's own names pick the others).
 */
export const CLASS_DOC_FILES: ReadonlyMap<string, string> = new Map([
  ['GorillaFileSystem', 'gorilla_file_system.json'],
  ['MathAPI', 'math_api.json'],
  ['MessageAPI', 'message_api.json'],
  ['TwitterAPI', 'posting_api.json'],
  ['TicketAPI', 'ticket_api.json'],
  ['TradingBot', 'trading_bot.json'],
  ['TravelAPI', 'travel_booking.json'],
  ['VehicleControlAPI', 'vehicle_control.json'],
  ['WebSearchAPI', 'web_search.json'],
  ['MemoryAPI', 'memory_kv.json'],
  ['MemoryAPI_kv', 'memory_kv.json'],
  ['MemoryAPI_vector', 'memory_vector.json'],
  ['MemoryAPI_rec_sum', 'memory_rec_sum.json'],
]);

export type ClassDocs = { ok: true; tools: ToolDef[] } | { ok: false; reason: string };

export interface BfclFiles {
  /** The possible_answer file found, if any. */
  answersFile?: string;
  /**
   * `ground_truth` by id, as read: single-turn `[{fn: {param: [accepted]}}]`, multi-turn one list of
   * call strings per turn, memory and web_search the accepted texts. Undefined without a file.
   */
  answers?: Map<string, unknown[]>;
  /** The function docs of a class (`involved_classes` entry), or why there are none. */
  classDocs(cls: string): ClassDocs;
}

/** `<dir>/<name>` beside the question file, else one folder up. */
function beside(path: string, name: string): string | undefined {
  return [join(dirname(path), name), join(dirname(path), '..', name)].find((c) => existsSync(c));
}

/** Lines of a side file within the record limits, as [1-based line, text]. */
function lines(file: string): [number, string][] {
  const out: [number, string][] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim()) out.push([i + 1, line]);
  });
  return out;
}

/** Within the record limits: side-file values are walked recursively when they are used. */
const withinLimits = (line: string): boolean => line.length <= MAX_RECORD_BYTES && !nestingExceeds(line, MAX_NESTING);

function loadAnswers(file: string): Map<string, unknown[]> {
  const map = new Map<string, unknown[]>();
  for (const [, line] of lines(file)) {
    if (!withinLimits(line)) continue;
    try {
      const rec = JSON.parse(line) as { id?: unknown; ground_truth?: unknown };
      if (typeof rec.id === 'string' && Array.isArray(rec.ground_truth)) map.set(rec.id, rec.ground_truth);
    } catch {
      // A broken answer line only loses that record's answer (its id is unreadable); the question
      // still loads, and `check` says it has no possible answer.
    }
  }
  return map;
}

/** One class doc file; a line that is not a function doc fails every record of that class. */
function loadClassDocs(dir: string, file: string): ClassDocs {
  const path = join(dir, file);
  if (!existsSync(path)) return { ok: false, reason: `${CLASS_DOC_DIR}/${file} not found (looked in ${dir})` };
  const tools: ToolDef[] = [];
  for (const [n, line] of lines(path)) {
    const where = `${CLASS_DOC_DIR}/${file} line ${n}`;
    if (!withinLimits(line)) return { ok: false, reason: `${where} is over the record limits` };
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      return { ok: false, reason: `${where} is not valid JSON` };
    }
    try {
      tools.push(toolDef(doc, where));
    } catch (err) {
      if (err instanceof FormatError) return { ok: false, reason: err.message };
      throw err;
    }
  }
  return { ok: true, tools };
}

/** The possible_answer file of BFCL question file `path`: beside it, else one folder up. */
export const bfclAnswersFile = (path: string): string | undefined => beside(path, join('possible_answer', basename(path)));

/** The side files of BFCL question file `path` (class docs are read when a record first needs them). */
export function loadBfclFiles(path: string): BfclFiles {
  const answersFile = bfclAnswersFile(path);
  const docsDir = beside(path, CLASS_DOC_DIR);
  const docs = new Map<string, ClassDocs>();
  return {
    answersFile,
    answers: answersFile ? loadAnswers(answersFile) : undefined,
    classDocs(cls) {
      const file = CLASS_DOC_FILES.get(cls);
      if (!file) return { ok: false, reason: `class ${JSON.stringify(cls)} has no BFCL function docs (known classes: ${[...CLASS_DOC_FILES.keys()].join(', ')})` };
      if (!docsDir) return { ok: false, reason: `the tools of class ${cls} are in ${CLASS_DOC_DIR}/${file}, and there is no ${CLASS_DOC_DIR}/ folder beside ${basename(path)} or one folder up` };
      let d = docs.get(file);
      if (!d) docs.set(file, (d = loadClassDocs(docsDir, file)));
      return d;
    },
  };
}

/** A record reader for BFCL question file `path`: the format's read, with the side files found beside it. */
export function bfclReader(path: string): (record: unknown, index: number) => Sample {
  const files = loadBfclFiles(path);
  return (record, index) => readBfcl(record, index, files);
}
