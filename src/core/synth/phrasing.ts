// Query templates: how one argument, one call, several calls of one function (parallel) and calls
// of several functions (parallel_multiple) are put into a user's words. Several phrasings per
// level, picked with the seeded PRNG; every drawn value's text goes into the query, so the
// reference answer is determined by the query (and the tool list).
import type { SynthParam } from './functions';
import type { Rng } from './rng';
import type { Drawn } from './drawn';
import { listText } from './values';

export interface Arg {
  param: SynthParam;
  drawn: Drawn;
}

const cap = (s: string): string => (s ? s[0].toUpperCase() + s.slice(1) : s);
/** "a" or "an" before `word`. */
const an = (word: string): string => (/^[aeio]|^u(?!ni|se|sa|su)/i.test(word) ? 'an' : 'a');

/** One argument in words: "base 10", "city: the capital of France", "include reviews enabled". */
export function argPhrase(a: Arg, rng: Rng): string {
  const { param: p, drawn: d } = a;
  const label = p.label;
  const bare = label.replace(/^the /, '');
  if (p.type === 'boolean') {
    return d.value === true
      ? rng.pick([`${label} enabled`, `${label} set to true`, `${label}: yes`])
      : rng.pick([`${label} disabled`, `${label} set to false`, `${label}: no`]);
  }
  // One- or two-letter names ("a", "x", "n") read best as assignments.
  if (p.name.length <= 2) return rng.pick([`${p.name}=${d.text}`, `${p.name} = ${d.text}`]);
  if (d.derived) {
    return p.type === 'string'
      ? rng.pick([`${label}: ${d.text}`, `${label} set to ${d.text}`, `the ${bare} being ${d.text}`])
      : rng.pick([`${label} of ${d.text}`, `${label}: ${d.text}`, `${an(label)} ${label} equal to ${d.text}`]);
  }
  if (p.type === 'array') return rng.pick([`${label} ${d.text}`, `${label}: ${d.text}`]);
  if (p.type === 'integer' || p.type === 'float') return rng.pick([`${label} ${d.text}`, `${label} of ${d.text}`, `${label} = ${d.text}`, `${an(label)} ${label} of ${d.text}`]);
  return rng.pick([`${label} ${d.text}`, `${label}: ${d.text}`, `${d.text} as the ${bare}`, `the ${bare} ${d.text}`]);
}

/** The arguments of one call in words; "; " between them when one holds a comma itself. */
export function argsPhrase(args: readonly Arg[], rng: Rng): string {
  const parts = args.map((a) => argPhrase(a, rng));
  return parts.some((s) => s.includes(',')) ? parts.join('; ') : listText(parts);
}

/** "calculate the area of a triangle with base 10 and height 5" (or just the task without arguments). */
function clause(task: string, args: readonly Arg[], rng: Rng): string {
  return args.length ? `${task} with ${argsPhrase(args, rng)}` : task;
}

/** The query of a single call. */
export function singleQuery(task: string, args: readonly Arg[], rng: Rng): string {
  if (!args.length) return rng.pick([`${cap(task)}.`, `Please ${task}.`, `Can you ${task}?`, `I need to ${task}.`]);
  const p = argsPhrase(args, rng);
  return rng.pick([
    `${cap(task)} with ${p}.`,
    `Please ${task}. Use ${p}.`,
    `Can you ${task} for ${p}?`,
    `I need to ${task}: ${p}.`,
    `Help me ${task}, with ${p}.`,
    `With ${p}, ${task}.`,
  ]);
}

const TIMES = ['', 'once', 'twice', 'three times'];
const THINGS = ['', 'one thing', 'two things', 'three things'];

/** The query of several calls to one function, each with its own arguments. */
export function parallelQuery(task: string, sets: readonly (readonly Arg[])[], rng: Rng): string {
  const ps = sets.map((s) => (s.length ? argsPhrase(s, rng) : ''));
  const k = sets.length;
  switch (rng.int(0, 3)) {
    case 0:
      return `${cap(task)} for each of these: ${ps.map((p, i) => `(${i + 1}) ${p}`).join('; ')}.`;
    case 1:
      return `${cap(task)} ${TIMES[k]}: first with ${ps[0]}, then with ${ps[1]}${k > 2 ? `, and finally with ${ps[2]}` : ''}.`;
    case 2:
      return `${cap(task)} with ${ps[0]}. Then do the same with ${ps[1]}${k > 2 ? `. And once more with ${ps[2]}` : ''}.`;
    default:
      return `Do this ${TIMES[k]}: ${task}, ${ps.map((p, i) => `(${i + 1}) with ${p}`).join(' and ')}.`;
  }
}

/** The query of calls to several functions. */
export function multiQuery(calls: readonly { task: string; args: readonly Arg[] }[], rng: Rng): string {
  const cs = calls.map((c) => clause(c.task, c.args, rng));
  const k = cs.length;
  switch (rng.int(0, 2)) {
    case 0:
      return `${cap(cs[0])}. Also, ${cs[1]}${k > 2 ? `. Finally, ${cs[2]}` : ''}.`;
    case 1:
      return `Please do ${THINGS[k]}: ${cs.map((c, i) => `(${i + 1}) ${c}`).join('; ')}.`;
    default:
      return `First ${cs[0]}, then ${cs[1]}${k > 2 ? `, and after that ${cs[2]}` : ''}.`;
  }
}
