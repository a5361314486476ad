// Every file an export writes goes through writeFileAtomic: a trainer started while an export
// runs (or an export that crashes) must never see a half-written dataset or config.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../store/atomicWrite';

export const jsonLines = (records: readonly unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');

/** A JSON array with one record per line: still one JSON value, but readable and diffable. */
export const jsonArray = (records: readonly unknown[]): string => (records.length ? `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n` : '[]\n');

/**
 * Floats as PyYAML reads them: YAML 1.1 (PyYAML, which LLaMA-Factory and TRL load configs with)
 * takes `1e-06` for a string, so a learning rate must be written `1.0e-6`.
 */
export function pyFloat(n: number): string {
  if (n !== 0 && (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e16)) {
    const [m, e] = n.toExponential().split('e');
    return `${m.includes('.') ? m : `${m}.0`}e${e}`;
  }
  return String(n);
}

const floatTag = {
  identify: (v: unknown) => typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:float',
  // Only for writing: parsing keeps the schema's own float tag.
  test: /(?!)/,
  resolve: (s: string) => Number(s),
  stringify: ({ value }: { value: unknown }) => pyFloat(value as number),
};

/** A number a Python float field receives: written with a decimal point even when whole (`0.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}
export const asFloat = (n: number): PyFloat => new PyFloat(n);

const wholeFloatTag = {
  identify: (v: unknown) => v instanceof PyFloat,
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /(?!)/,
  resolve: (s: string) => Number(s),
  stringify: ({ value }: { value: unknown }) => {
    const s = pyFloat((value as PyFloat).value);
    return /[.e]/.test(s) ? s : `${s}.0`;
  },
};

export function yamlText(value: unknown, header: readonly string[] = []): string {
  const body = stringify(value, { customTags: (tags) => [wholeFloatTag, floatTag, ...tags], lineWidth: 0 });
  return header.map((h) => `# ${h}\n`).join('') + body;
}

/** Writes the files in order, recording each path once it is in place. */
export class Writer {
  readonly files: string[] = [];
  constructor(readonly dir: string) {}
  async write(name: string, text: string, mode?: number): Promise<string> {
    const path = join(this.dir, name);
    await writeFileAtomic(path, text, mode === undefined ? {} : { mode });
    this.files.push(path);
    return path;
  }
}

export const DATASET_INFO = 'dataset_info.json';

/**
 * The dataset_info.json already in `dir` (its entries in order), or an empty one. Read before
 * anything is written: an unreadable file must stop the export, not be overwritten, since it may
 * register datasets of other projects.
 */
export async function readDatasetInfo(dir: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(join(dir, DATASET_INFO), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`export: ${join(dir, DATASET_INFO)} is not valid JSON (${(err as Error).message}); fix or move it, it is not overwritten`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`export: ${join(dir, DATASET_INFO)} is not a JSON object; fix or move it, it is not overwritten`);
  return v as Record<string, unknown>;
}

/** Other entries keep their place and content; ours replace same-named ones in place or are appended. */
export function mergeDatasetInfo(info: Record<string, unknown>, entries: Record<string, unknown>): Record<string, unknown> {
  return { ...info, ...entries };
}

export const datasetInfoText = (info: Record<string, unknown>): string => `${JSON.stringify(info, null, 2)}\n`;
