// Limits on one record, checked before anything else is done with it: a record over them is
// malformed (with the reason below, like any other bad record), and the rest of the file loads.
// The record index's kernel (recordIndexKernel.ts) carries its own copy of the nesting scan (it is
// plain JavaScript run in workers); the two are tested to agree.

export const MiB = 1 << 20;

/**
 * The largest record read, in bytes. Real tool-use records are kilobytes (a long multi-turn one
 * with a big tool list, a few hundred kB); parsing one costs several times its size in memory
 * (the bytes, the decoded text, the parsed values, an error message's context), so without a
 * limit one damaged line — a 50 MiB run of `[` — took 3.3 GB and 40 s to report. 16 MiB is far
 * above any real record and keeps the worst case near a few hundred MB.
 */
export const MAX_RECORD_BYTES = 16 * MiB;

/**
 * The deepest nesting of arrays and objects accepted, in a record and in JSON text inside one of
 * its fields (xLAM `tools`, OpenAI `arguments`, ...). The code that walks values (copying,
 * comparing, writing them in another format) recurses, and 5,000 levels overflowed the stack
 * in `itool convert`. 512 is PHP json_decode's default depth; Python's json gives up near 1,000
 * (its recursion limit), serde_json at 128.
 */
export const MAX_NESTING = 512;

export const tooBigReason = (bytes: number): string => `record is ${(bytes / MiB).toFixed(1)} MiB, over the ${MAX_RECORD_BYTES / MiB} MiB limit`;
export const TOO_DEEP_REASON = `nested deeper than ${MAX_NESTING} levels`;

/**
 * Whether JSON text nests arrays/objects deeper than `limit`, by one iterative pass over the
 * brackets outside strings (no recursion, no parsing: cheap enough to run before JSON.parse).
 */
export function nestingExceeds(text: string, limit = MAX_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/**
 * Why record text about to be written would not read back under the limits ("record would be 20.0
 * MiB, over the 16 MiB limit", "record would be nested deeper than 512 levels"), or undefined.
 */
export function writtenOverLimits(text: string): string | undefined {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_RECORD_BYTES) return tooBigReason(bytes).replace(/^record is/, 'record would be');
  return nestingExceeds(text, MAX_NESTING) ? `record would be ${TOO_DEEP_REASON}` : undefined;
}
