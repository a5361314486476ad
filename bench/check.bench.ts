// Checker throughput: BFCL outputs judged per second on one core (the main thread), end to end as
// `itool check` does per row — expectationFor + parse + check. Outputs: every BFCL ground truth
// rendered as a python-call output, plus perturbed ones per sample (a changed value, a dropped
// argument, an invented argument, a renamed function, a truncated output, a text answer; for
// irrelevance samples a text answer and a call).
// Prints ONE JSON line {"name","value","unit","baseline","ratio"} on stdout; on stderr, the share
// of the time spent parsing vs checking.
//   node --import tsx bench/check.bench.ts [--dump FILE]   (--dump writes the outputs as JSONL)
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Dataset } from '../src/core/dataset/dataset';
import { callsFromGroundTruth } from '../src/core/dataset/formats/bfcl';
import { encodePythonCalls } from '../src/core/dataset/pythonCalls';
import type { Sample, ToolCall } from '../src/core/dataset/sample';
import { checkOutput, expectationFor } from '../src/core/toolcall/check/index';
import { parseCalls } from '../src/core/toolcall/parse/index';

const ROOT = join(__dirname, '..');
const BFCL = [process.env.ITOOL_BFCL_DIR, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(ROOT, 'demo', 'datasets', 'bfcl')].find((d) => d && existsSync(d))!;
/**
 * Baseline, run in this same process so the ratio survives machine drift: a naive checker — one
 * regex split of a single python call, JSON.parse of each value, deep-equal against the first
 * ground truth — with no spans, no error attribution, no parallel matching. The ratio says what
 * the full checker costs over that floor. For scale outside the JSON line: BFCL's own Python
 * checker (ast_checker.py with its ast.parse decoder, run unmodified from the gorilla repository on
 * the same 18,653 outputs, Python 3.11.7, this machine kind) did 41,900–42,500 outputs/s.
 */
const MIN_SECONDS = 1;

const log = (msg: string) => process.stderr.write(`[check.bench] ${msg}\n`);

interface Case {
  sample: Sample;
  output: string;
}

function perturbations(s: Sample): string[] {
  if (!s.possibleAnswers?.length) {
    const t = s.tools[0];
    return ['I cannot help with that: none of the functions fits.', t ? `[${t.name}(query="x")]` : '[lookup(query="x")]'];
  }
  const calls = callsFromGroundTruth(s.possibleAnswers);
  const edit = (f: (c: ToolCall) => ToolCall): string => encodePythonCalls(calls.map((c, i) => (i === 0 ? f(c) : c)));
  const right = encodePythonCalls(calls);
  const [k0, v0] = Object.entries(calls[0].arguments)[0] ?? [];
  const out = [right, edit((c) => ({ ...c, arguments: { ...c.arguments, zz_invented: 1 } })), edit((c) => ({ ...c, name: `${c.name}_zz` })), right.slice(0, -2), 'Sorry, I cannot do that.'];
  if (k0 !== undefined) {
    out.push(edit((c) => ({ ...c, arguments: { ...c.arguments, [k0]: typeof v0 === 'string' ? `${v0}x` : typeof v0 === 'number' ? v0 + 1 : 'x' } })));
    out.push(edit((c) => ({ ...c, arguments: Object.fromEntries(Object.entries(c.arguments).slice(1)) })));
  }
  return out;
}

async function loadCases(): Promise<Case[]> {
  const cases: Case[] = [];
  for (const file of readdirSync(BFCL).filter((f) => /^BFCL_v\d+_.*\.json$/.test(f)).sort()) {
    const ds = await Dataset.open(join(BFCL, file));
    try {
      await ds.scan((i, text) =>
        ds.fromText(i, text).then((r) => {
          if (r.ok) for (const output of perturbations(r.sample)) cases.push({ sample: r.sample, output });
        }),
      );
    } finally {
      await ds.close();
    }
  }
  return cases;
}

/** The naive baseline (see above): single call, regex split, JSON values, deep equality. */
function naiveCheck(c: Case): boolean {
  const m = /^\[?\s*([\w.]+)\((.*)\)\s*\]?$/s.exec(c.output.trim());
  const gt = c.sample.possibleAnswers?.[0];
  if (!m || !gt) return false;
  const [name, params] = Object.entries(gt)[0];
  if (m[1] !== name) return false;
  try {
    for (const kv of m[2] ? m[2].split(/,\s*(?=\w+=)/) : []) {
      const eq = kv.indexOf('=');
      const value = JSON.parse(kv.slice(eq + 1).replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null'));
      if (!params[kv.slice(0, eq)]?.some((a) => isDeepStrictEqual(a, value))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Runs `pass` over all cases until MIN_SECONDS have passed; returns seconds per case. */
function timePerCase(cases: Case[], pass: (c: Case) => unknown): number {
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MIN_SECONDS * 1000) {
    for (const c of cases) if (pass(c)) sink++;
    n += cases.length;
    t = performance.now();
  }
  if (sink < 0) log('unreachable');
  return (t - t0) / 1000 / n;
}

async function main(): Promise<void> {
  const cases = await loadCases();
  const dump = process.argv.indexOf('--dump');
  if (dump >= 0) {
    const path = process.argv[dump + 1];
    writeFileSync(path, cases.map((c) => `${JSON.stringify({ id: c.sample.id, output: c.output })}\n`).join(''));
    log(`wrote ${cases.length} outputs to ${path}`);
  }
  log(`${cases.length} outputs from ${BFCL}`);
  const full = (c: Case) => checkOutput(c.output, expectationFor(c.sample)).valid;
  const parse = (c: Case) => parseCalls(c.output).ok;
  // Warm-up: let the JIT settle on both paths.
  for (let k = 0; k < 3; k++) {
    for (const c of cases) {
      full(c);
      parse(c);
    }
  }
  for (const c of cases) naiveCheck(c);
  const runs = [0, 1, 2].map(() => timePerCase(cases, full)).sort((a, b) => a - b);
  const baseline = 1 / [0, 1, 2].map(() => timePerCase(cases, naiveCheck)).sort((a, b) => a - b)[1];
  const perOutput = runs[1];
  const parsePer = [0, 1, 2].map(() => timePerCase(cases, parse)).sort((a, b) => a - b)[1];
  const value = 1 / perOutput;
  const parseShare = Math.min(1, parsePer / perOutput);
  log(`per output ${(perOutput * 1e6).toFixed(2)} µs: parse ${(parseShare * 100).toFixed(0)}%, expectation + check ${((1 - parseShare) * 100).toFixed(0)}%`);
  const round = (x: number) => Number(x.toPrecision(4));
  process.stdout.write(`${JSON.stringify({ name: 'check_outputs_per_s', value: round(value), unit: 'outputs/s', baseline: round(baseline), ratio: Number((value / baseline).toFixed(3)) })}\n`);
}

void main();
