// A response as the checker reads it: the policy's text without the end-of-turn markers and white
// space a backend may leave at its end. The search, generation, GRPO, training data and the exports
// all judge responses through this one clean-up.

/** End-of-turn markers a backend may leave at the end of a response; the checker must not see them. */
const END_MARKERS = ['<|im_end|>', '<|eot_id|>', '<|eom_id|>', '<|endoftext|>', '<|end|>', '<end_of_turn>', '</s>'];

/** The response as the checker reads it: without trailing end-of-turn markers and white space. */
export function cleanResponse(text: string): string {
  let t = text.trimEnd();
  for (let again = true; again; ) {
    again = false;
    for (const m of END_MARKERS) {
      if (t.endsWith(m)) {
        t = t.slice(0, -m.length).trimEnd();
        again = true;
      }
    }
  }
  return t;
}
