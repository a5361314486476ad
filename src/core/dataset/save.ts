// Saving edited samples back into their source file: the only path that ever writes a user's
// dataset, and only when the user asks. Every byte that is not an edited record is copied as it
// was (blank lines, CRLF, a BOM, a JSON array's brackets and separators, malformed records), each
// edited record is written in its format and in the file's own JSON style, and the file is
// replaced atomically (temp file + rename), so a crash mid-save leaves the original intact.
import { open, stat } from 'node:fs/promises';
import type { Dataset } from './dataset';
import { COMPACT_STYLE, detectJsonStyle, writeRecordText } from './jsonStyle';
import type { Sample } from './sample';
import { writeFileAtomic } from '../store/atomicWrite';
import { writtenOverLimits } from './recordIndexLimits';

/** Bytes copied per read between edited records. */
const CHUNK = 8 << 20;

/**
 * Write `edits` (record index → edited sample) into the dataset's file. Resolves with the number of
 * records rewritten; the Dataset must be reopened afterwards (its offsets describe the old file).
 */
export async function saveEdits(ds: Dataset, edits: ReadonlyMap<number, Sample>, opts: { signal?: AbortSignal } = {}): Promise<number> {
  if (edits.size === 0) return 0; // nothing to write: the file is not touched at all
  // Offsets describe the file as it was indexed; writing over a file someone changed since would
  // splice records into the wrong places.
  const st = await stat(ds.path);
  if (st.size !== ds.index.size || st.mtimeMs !== ds.index.mtimeMs) throw new Error(`${ds.path} changed since it was opened; reopen it before saving`);
  const order = [...edits.keys()].sort((a, b) => a - b);
  for (const i of order) if (!(i >= 0 && i < ds.count)) throw new RangeError(`cannot save record ${i}: the file has ${ds.count}`);
  // Edited texts are computed first: a sample the format cannot write must fail the save before
  // anything is written.
  const texts = new Map<number, string>();
  for (const i of order) {
    const parsed = await ds.reader.parse(i);
    if (!parsed.ok) throw new Error(`cannot save record ${i + 1}: ${parsed.reason}`);
    const record = ds.format.write(edits.get(i)!, parsed.value);
    const text = writeRecordText(record, parsed.text, parsed.value, detectJsonStyle(parsed.text, COMPACT_STYLE));
    // A record the file could not be read back with (over the record limits) is not saved.
    const over = writtenOverLimits(text);
    if (over) throw new Error(`cannot save record ${i + 1}: the ${over}`);
    texts.set(i, text);
  }
  const fh = await open(ds.path, 'r');
  try {
    const size = ds.index.size;
    async function* bytes(): AsyncGenerator<Uint8Array | string> {
      let at = 0;
      for (const i of order) {
        yield* copy(at, ds.index.start(i));
        yield texts.get(i)!;
        at = ds.index.end(i);
      }
      yield* copy(at, size);
    }
    async function* copy(from: number, to: number): AsyncGenerator<Uint8Array> {
      for (let p = from; p < to; p += CHUNK) {
        opts.signal?.throwIfAborted();
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, to - p));
        const { bytesRead } = await fh.read(buf, 0, buf.length, p);
        if (bytesRead !== buf.length) throw new Error(`${ds.path} changed while saving`);
        yield buf;
      }
    }
    await writeFileAtomic(ds.path, bytes(), { signal: opts.signal });
  } finally {
    await fh.close();
  }
  return order.length;
}
