// Crash safety under SIGKILL (issue 15, findings 2, 10 and 12), with real processes killed at many
// points:
// - `itool convert … --to bfcl`: the question file and its possible_answer/ file are one commit —
//   after any kill the pair on disk is the old pair or the new pair (a commit that was recorded
//   but not finished is completed by the next reader or run), never a partial file, and a run
//   into a fresh folder writes both;
// - leftovers: the temp files of a killed run are removed by the next run (they carry the pid of
//   the process that wrote them; a live process's are left alone);
// - commitFiles (src/core/store/commit.ts), the primitive under convert, killed at each of its steps;
// - `itool review DATASET --pairs P --accept ID… --reject ID…`: every decision reported before a
//   kill is in the journal, the journal reads back with at most a cut last line (a note, skipped).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pairId } from '../../src/core/pairs/reviewEntries';
import { readReview, reviewPath } from '../../src/core/pairs/reviewJournal';
import type { PreferencePair } from '../../src/core/search/types';
import { readJournal } from '../../src/core/store/journal';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const DEMO_BFCL = join(ROOT, 'demo', 'datasets', 'bfcl');
const root = mkdtempSync(join(tmpdir(), 'itool-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

const figures = { kills: { convert: 0, commit: 0, write: 0, review: 0 }, runs: 0, files: 0, rolledForward: { convert: 0, commit: 0 }, leftoversSeen: 0, decisions: 0 };
after(() => {
  const k = figures.kills;
  console.log(
    `killSafety: ${k.convert + k.commit + k.write + k.review} SIGKILLs (${k.convert} convert, ${k.commit} commitFiles at each step, ${k.write} writeFileAtomic, ${k.review} review --accept/--reject), ` +
      `${figures.runs} runs, ${figures.files} files checked, recorded commits completed by the next reader after ${figures.rolledForward.convert} convert and ${figures.rolledForward.commit} commitFiles kills, ` +
      `${figures.leftoversSeen} leftover temp files seen after kills (all removed by the next run), ${figures.decisions} reported decisions verified`,
  );
});

before(() => {
  ensureBuiltCli();
});

let seq = 0;
const fresh = (name: string): string => {
  const d = join(root, `${name}-${seq++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function itool(...args: string[]): { code: number; out: string; err: string } {
  figures.runs++;
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** An OpenAI-format dataset of `n` samples, each tagged with `tag` in its question and its answer. */
function source(tag: string, n: number, pad = 150, answers = true): string {
  const file = join(root, `src-${tag}-${n}-${pad}-${answers}.jsonl`);
  if (existsSync(file)) return file;
  const tool = { type: 'function', function: { name: 'lookup', description: 'Look a key up.', parameters: { type: 'object', properties: { key: { type: 'string', description: 'the key' } }, required: ['key'] } } };
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const user = { role: 'user', content: `run ${tag} question ${i} ${'pad '.repeat(pad)}` };
    const assistant = answers
      ? { role: 'assistant', content: null, tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ key: `${tag}:${i}` }) } }] }
      : { role: 'assistant', content: `no call ${tag} ${i}` };
    lines.push(JSON.stringify({ messages: [user, assistant], tools: [tool] }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface Pair {
  questions: Map<string, string>;
  answers: Map<string, string> | undefined;
}

/** Both files of a BFCL pair, every line parsed (a partial file throws): id → run tag. */
function readPair(q: string): Pair {
  figures.files++;
  const questions = new Map<string, string>();
  for (const line of readFileSync(q, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { id: string; question: { content: string }[][] };
    questions.set(r.id, /^run (\w+) question/.exec(r.question[0][0].content)![1]);
  }
  const a = join(q, '..', 'possible_answer', 'Q.json');
  if (!existsSync(a)) return { questions, answers: undefined };
  figures.files++;
  const answers = new Map<string, string>();
  for (const line of readFileSync(a, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { id: string; ground_truth: { lookup: { key: string[] } }[] };
    answers.set(r.id, r.ground_truth[0].lookup.key[0].split(':')[0]);
  }
  return { questions, answers };
}

/** The run tag of a consistent pair (every question has its answer from the same run), else undefined. */
function pairTag(p: Pair): string | undefined {
  const tags = new Set(p.questions.values());
  if (tags.size !== 1 || !p.answers || p.answers.size !== p.questions.size) return undefined;
  for (const [id, tag] of p.questions) if (p.answers.get(id) !== tag) return undefined;
  return [...tags][0];
}

/** Hidden files the writers leave beside a target: temp files and commit records. */
function hidden(dir: string): string[] {
  const list = (d: string): string[] => (existsSync(d) ? readdirSync(d).filter((n) => n.startsWith('.')).map((n) => join(d, n)) : []);
  return [...list(dir), ...list(join(dir, 'possible_answer'))];
}
const pidOf = (path: string): number | undefined => {
  const m = /\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(path) ?? /\.commit\.(\d+)\.recover$/.exec(path);
  return m ? Number(m[1]) : undefined;
};

function exited(p: ChildProcess): Promise<void> {
  return new Promise((res) => (p.exitCode !== null || p.signalCode !== null ? res() : p.once('exit', () => res())));
}

describe('convert --to bfcl: the question file and possible_answer/ are one commit', () => {
  it('into a fresh folder: both files written, exit 0; same-format BFCL writes possible_answer/ too', () => {
    const dir = fresh('fresh');
    const q = join(dir, 'out', 'Q.json');
    const r = itool('convert', source('A', 50), '--to', 'bfcl', '-o', q);
    assert.equal(r.code, 0, r.err);
    assert.equal(pairTag(readPair(q)), 'A');
    assert.match(r.out, /answers in .*possible_answer/);

    const demo = join(DEMO_BFCL, 'BFCL_v4_simple_python.json');
    const same = join(dir, 'same', 'BFCL_v4_simple_python.json');
    const s = itool('convert', demo, '--to', 'bfcl', '-o', same);
    assert.equal(s.code, 0, s.err);
    assert.equal(readFileSync(same, 'utf8'), readFileSync(demo, 'utf8'));
    const answers = join(dir, 'same', 'possible_answer', 'BFCL_v4_simple_python.json');
    assert.ok(existsSync(answers), 'same-format conversion writes the answers it read');
    const parse = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(parse(answers), parse(join(DEMO_BFCL, 'possible_answer', 'BFCL_v4_simple_python.json')));
    figures.files += 3;
    assert.deepEqual(hidden(join(dir, 'out')), []);
    assert.deepEqual(hidden(join(dir, 'same')), []);
  });

  it('a run without answers removes the old possible_answer/ file (no old answers under new questions)', () => {
    const dir = fresh('noanswers');
    const q = join(dir, 'Q.json');
    assert.equal(itool('convert', source('A', 20), '--to', 'bfcl', '-o', q).code, 0);
    assert.ok(existsSync(join(dir, 'possible_answer', 'Q.json')));
    const r = itool('convert', source('N', 20, 10, false), '--to', 'bfcl', '-o', q);
    assert.equal(r.code, 0, r.err);
    assert.ok(!existsSync(join(dir, 'possible_answer', 'Q.json')), 'stale answers removed');
    assert.deepEqual([...new Set(readPair(q).questions.values())], ['N']);
    assert.deepEqual(hidden(dir), []);
  });

  it('SIGKILL at 30 points of a run: the old pair or the new pair, never a partial file; leftovers removed by the next run', async () => {
    const dir = fresh('kill');
    // The folder the old code needed to exist already, so that its pairing (not its ENOENT) is tested.
    mkdirSync(join(dir, 'possible_answer'));
    const q = join(dir, 'Q.json');
    const N = 8000;
    const src = { A: source('A', N), B: source('B', N) };
    const t0 = Date.now();
    const first = itool('convert', src.A, '--to', 'bfcl', '-o', q);
    const full = Date.now() - t0;
    assert.equal(first.code, 0, first.err);
    let onDisk = pairTag(readPair(q));
    assert.equal(onDisk, 'A');
    const KILLS = 30;
    let completed = 0;
    const mixed: string[] = [];
    const stale: string[] = [];
    let prevPids = new Set<number>();
    for (let k = 0; k < KILLS; k++) {
      const tag: 'A' | 'B' = onDisk === 'A' ? 'B' : 'A';
      const p = spawn(process.execPath, [CLI, 'convert', src[tag], '--to', 'bfcl', '-o', q], { stdio: 'ignore' });
      figures.runs++;
      const mine = (f: string) => pidOf(f) === p.pid;
      if (k % 3 === 0) {
        // Spread over the run, startup to the final renames.
        await sleep(Math.round((full * (Math.floor(k / 3) + 0.5)) / (KILLS / 3)));
      } else {
        // Kill when this run's first temp file appears (k % 3 === 1), or its answers temp / commit
        // record (k % 3 === 2): the moments between the two files.
        const want = k % 3 === 1 ? (f: string) => mine(f) : (f: string) => (mine(f) && f.includes('possible_answer')) || /\.commit/.test(f);
        const until = Date.now() + 20_000;
        while (p.exitCode === null && Date.now() < until && !hidden(dir).some(want)) await sleep(1);
        if (k % 3 === 1) await sleep(Math.floor(Math.random() * 30));
      }
      if (p.exitCode === null) {
        p.kill('SIGKILL');
        figures.kills.convert++;
      } else completed++;
      await exited(p);

      // Both files parse to the end (renames only: no partial file).
      const raw = readPair(q);
      let now = pairTag(raw);
      if (now === undefined) {
        // Killed between the two renames: the commit record is there, and a reader completes it.
        if (!hidden(dir).some((f) => /\.Q\.json\.commit$/.test(f))) {
          mixed.push(`kill ${k}: questions of run ${[...new Set(raw.questions.values())].join('')}, answers of run ${raw.answers ? [...new Set(raw.answers.values())].join('') : '(none)'}, no commit record`);
          now = [...new Set(raw.questions.values())][0];
        } else {
          const r = itool('inspect', q, '--json');
          assert.equal(r.code, 0, r.err);
          figures.rolledForward.convert++;
          now = pairTag(readPair(q));
          assert.equal(now, tag, `kill ${k}: a recorded commit completes to the new pair`);
        }
      }
      assert.ok(now === onDisk || now === tag, `kill ${k}: pair from run ${now}, expected ${onDisk} (old) or ${tag} (new)`);
      onDisk = now;
      // Leftovers never pile up: a run removes the earlier runs' on start, so what is left is one
      // run's — the killed one's, or the run before it when the kill came before that start.
      const left = hidden(dir);
      figures.leftoversSeen += left.length;
      const pids = new Set(left.map((f) => pidOf(f) ?? p.pid!));
      const earlier = left.filter((f) => (pidOf(f) ?? p.pid) !== p.pid);
      if (pids.size > 1 || (pids.size === 1 && !pids.has(p.pid!) && !prevPids.has([...pids][0]))) {
        stale.push(`kill ${k}: ${earlier.length} file(s) of earlier runs, ${earlier.reduce((n, f) => n + statSync(f).size, 0)} bytes`);
      }
      prevPids = pids;
    }
    assert.deepEqual({ mixed, stale }, { mixed: [], stale: [] }, `${mixed.length} of ${KILLS} kills left new questions under old answers; after ${stale.length} of ${KILLS} kills earlier runs' temp files were still there`);
    assert.ok(figures.kills.convert >= 20, `${figures.kills.convert} kills landed (${completed} runs finished first)`);
    // A complete rerun: the new pair, and nothing hidden left.
    const tag: 'A' | 'B' = onDisk === 'A' ? 'B' : 'A';
    const r = itool('convert', src[tag], '--to', 'bfcl', '-o', q);
    assert.equal(r.code, 0, r.err);
    assert.equal(pairTag(readPair(q)), tag);
    assert.deepEqual(hidden(dir), []);
    assert.deepEqual(readdirSync(dir).sort(), ['Q.json', 'possible_answer']);
    assert.deepEqual(readdirSync(join(dir, 'possible_answer')), ['Q.json']);
  });
});

describe('commitFiles killed at each step', () => {
  const COMMIT = join(ROOT, 'src', 'core', 'store', 'commit.ts');
  const ATOMIC = join(ROOT, 'src', 'core', 'store', 'atomicWrite.ts');
  const pairText = (tag: string, n = 200): { q: string; a: string } => {
    let q = '';
    let a = '';
    for (let i = 0; i < n; i++) {
      q += `${JSON.stringify({ id: `t_${i}`, question: [[{ role: 'user', content: `run ${tag} question ${i}` }]], function: [] })}\n`;
      a += `${JSON.stringify({ id: `t_${i}`, ground_truth: [{ lookup: { key: [`${tag}:${i}`] } }] })}\n`;
    }
    return { q, a };
  };

  /** A process committing `tag`'s pair into dir that stops at `step` (printing `at STEP`) until killed. */
  function committer(dir: string, tag: string, step: string): ChildProcess {
    const { q, a } = pairText(tag);
    const code = `
      require('tsx/cjs');
      const { commitFiles } = require(${JSON.stringify(COMMIT)});
      setInterval(() => undefined, 1000);
      commitFiles([{ path: ${JSON.stringify(join(dir, 'Q.json'))}, data: ${JSON.stringify(q)} }, { path: ${JSON.stringify(join(dir, 'possible_answer', 'Q.json'))}, data: ${JSON.stringify(a)} }], {
        onStep: (s) => { if (s === ${JSON.stringify(step)}) { process.stdout.write('at ' + s + '\\n'); return new Promise(() => undefined); } },
      }).then(() => { process.stdout.write('finished\\n'); process.exit(0); }, (e) => { process.stderr.write(String(e.stack) + '\\n'); process.exit(1); });`;
    return spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  }
  const atStep = (p: ChildProcess): Promise<string> =>
    new Promise((res, rej) => {
      let out = '';
      p.stdout!.setEncoding('utf8');
      p.stdout!.on('data', (s: string) => {
        out += s;
        if (out.includes('\n')) res(out.trim());
      });
      p.once('exit', (c) => rej(new Error(`committer exited with ${c} before its step: ${out}`)));
    });

  const STEPS = ['staged:0', 'staged:1', 'committed', 'applied:0', 'applied:1', 'done'];
  for (const step of STEPS) {
    it(`killed at ${step}: ${STEPS.indexOf(step) < 2 ? 'the old pair' : 'the new pair (the record completes it)'}; the next commit cleans up`, async () => {
      const { commitFiles, settleCommit } = (await import(COMMIT)) as typeof import('../../src/core/store/commit');
      for (let rep = 0; rep < 3; rep++) {
        const dir = fresh('step');
        const old = pairText('old');
        await commitFiles([{ path: join(dir, 'Q.json'), data: old.q }, { path: join(dir, 'possible_answer', 'Q.json'), data: old.a }]);
        const p = committer(dir, 'new', step);
        figures.runs++;
        assert.equal(await atStep(p), `at ${step}`);
        // A live committer's files are not anyone's leftovers.
        if (rep === 2 && STEPS.indexOf(step) < 2) {
          const { removeStaleTemps } = (await import(ATOMIC)) as typeof import('../../src/core/store/atomicWrite');
          const live = hidden(dir).filter((f) => pidOf(f) === p.pid);
          assert.ok(live.length > 0);
          await removeStaleTemps(join(dir, 'Q.json'));
          await removeStaleTemps(join(dir, 'possible_answer', 'Q.json'));
          assert.deepEqual(hidden(dir).filter((f) => pidOf(f) === p.pid), live, 'the live process keeps its temp files');
        }
        p.kill('SIGKILL');
        figures.kills.commit++;
        await exited(p);
        const before = STEPS.indexOf(step) < 2;
        const raw = readPair(join(dir, 'Q.json'));
        const rawTag = pairTag(raw);
        if (before) assert.equal(rawTag, 'old', 'uncommitted: the old pair, untouched');
        else if (step === 'applied:0') assert.equal(rawTag, undefined, 'between the renames (the window the record covers)');
        else if (step !== 'committed') assert.equal(rawTag, 'new');
        figures.leftoversSeen += hidden(dir).length;
        // What the next reader (or run) does first.
        const settled = await settleCommit(join(dir, 'Q.json'));
        if (!before && step !== 'done') figures.rolledForward.commit++;
        assert.equal(settled, before || step === 'done' ? 'none' : 'completed');
        assert.equal(pairTag(readPair(join(dir, 'Q.json'))), before ? 'old' : 'new');
        // The next commit removes the dead process's temp files and leaves a clean pair.
        const next = pairText('next');
        await commitFiles([{ path: join(dir, 'Q.json'), data: next.q }, { path: join(dir, 'possible_answer', 'Q.json'), data: next.a }]);
        assert.equal(pairTag(readPair(join(dir, 'Q.json'))), 'next');
        assert.deepEqual(hidden(dir), []);
      }
    });
  }

  it('writeFileAtomic: the temp file of a killed writer is removed by the next write of that file', async () => {
    const { writeFileAtomic } = (await import(ATOMIC)) as typeof import('../../src/core/store/atomicWrite');
    for (let rep = 0; rep < 4; rep++) {
      const dir = fresh('single');
      const target = join(dir, 'out.jsonl');
      const code = `
        require('tsx/cjs');
        const { writeFileAtomic } = require(${JSON.stringify(ATOMIC)});
        setInterval(() => undefined, 1000);
        async function* chunks() { yield 'x'.repeat(3 << 20); process.stdout.write('stalled\\n'); await new Promise(() => undefined); }
        writeFileAtomic(${JSON.stringify(target)}, chunks());`;
      const p = spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      figures.runs++;
      await new Promise<void>((res) => p.stdout!.once('data', () => res()));
      await sleep(20);
      p.kill('SIGKILL');
      figures.kills.write++;
      await exited(p);
      const left = readdirSync(dir);
      figures.leftoversSeen += left.length;
      assert.equal(left.length, 1, `the killed writer's temp file: ${left.join(', ')}`);
      assert.equal(pidOf(left[0]), p.pid);
      await writeFileAtomic(target, 'done\n');
      assert.deepEqual(readdirSync(dir), ['out.jsonl']);
    }
  });
});

describe('itool review --accept/--reject under SIGKILL', () => {
  const PAIRS = 600;
  function setup(): { dataset: string; pairsFile: string; ids: string[] } {
    const dir = fresh('review');
    cpSync(DEMO_BFCL, join(dir, 'bfcl'), { recursive: true });
    const dataset = join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
    const pairs: PreferencePair[] = [];
    const verdict = { valid: true, errors: [], score: 1 };
    for (let i = 0; i < PAIRS; i++) {
      const side = (fragment: string, nodeId: number) => ({ nodeId, fragment, completion: ')]', text: `${fragment})]`, value: 0.5, visits: 3, reward: 0.5, kind: 'argument' as const, key: 'height', verdict });
      pairs.push({ sampleId: 'simple_python_0', index: 0, round: 1, nodeId: 2, depth: 1, prefix: '[calculate_triangle_area(base=10, ', kind: 'argument', key: 'height', chosen: side(`height=${i}`, 3), rejected: side(`height=-${i}`, 4), gap: 0.25, overlap: 0.5 } as unknown as PreferencePair);
    }
    const pairsFile = join(dir, 'pairs.jsonl');
    writeFileSync(pairsFile, pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
    return { dataset, pairsFile, ids: pairs.map(pairId) };
  }

  it('unknown ids, an id in both lists, or no --pairs: exit 2 and nothing written', () => {
    const { dataset, pairsFile, ids } = setup();
    let r = itool('review', dataset, '--pairs', pairsFile, '--accept', ids[0], 'ffffffffffffffff');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /ffffffffffffffff/);
    r = itool('review', dataset, '--pairs', pairsFile, '--accept', ids[0], '--reject', ids[0]);
    assert.equal(r.code, 2, r.err);
    r = itool('review', dataset, '--accept', ids[0]);
    assert.equal(r.code, 2, r.err);
    assert.ok(!existsSync(reviewPath(dataset)));
    r = itool('review', dataset, '--pairs', pairsFile, '--accept', ids[0], ids[1], '--reject', ids[2]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n').slice(0, 3), [`accepted ${ids[0]}`, `accepted ${ids[1]}`, `rejected ${ids[2]}`]);
    const list = itool('review', dataset, '--pairs', pairsFile, '--json');
    const states = list.out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { state: string }).state);
    assert.deepEqual(states.slice(0, 4), ['accepted', 'accepted', 'rejected', 'pending']);
  });

  it(`25 SIGKILLs during --accept/--reject of ${PAIRS} ids: every reported decision is in the journal; no torn line but a cut last one, noted`, async () => {
    const { dataset, pairsFile, ids } = setup();
    const half = PAIRS / 2;
    /** Decision of each id in the journal now, checked against what was reported. */
    let state = new Map<string, string>();
    const KILLS = 25;
    // Until 25 kills landed (a run that finishes before its kill point is not one), at most 40 runs.
    for (let k = 0; figures.kills.review < KILLS && k < 40; k++) {
      // Flip the two halves every run, so each run has all PAIRS decisions to write.
      const [acc, rej] = k % 2 === 0 ? [ids.slice(0, half), ids.slice(half)] : [ids.slice(half), ids.slice(0, half)];
      const p = spawn(process.execPath, [CLI, 'review', dataset, '--pairs', pairsFile, '--accept', ...acc, '--reject', ...rej], { stdio: ['ignore', 'pipe', 'pipe'] });
      figures.runs++;
      let out = '';
      let err = '';
      p.stdout.setEncoding('utf8');
      p.stderr.setEncoding('utf8');
      p.stderr.on('data', (s: string) => (err += s));
      // Kill once `target` decisions were reported (1: at the first), spread over the first half.
      const target = k % 5 === 0 ? 1 : 1 + Math.floor(Math.random() * (PAIRS / 2));
      let killed = false;
      await new Promise<void>((res) => {
        const done = (): void => {
          if (p.exitCode === null && !killed) {
            p.kill('SIGKILL');
            killed = true;
          }
          res();
        };
        p.stdout.on('data', (s: string) => {
          out += s;
          if (out.split('\n').length - 1 >= target) done();
        });
        p.once('exit', () => res());
      });
      if (killed) figures.kills.review++;
      await exited(p);
      // Reported = the complete lines received before the kill.
      const reported = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter((l) => /^(accepted|rejected) /.test(l)).map((l) => l.split(' ') as [string, string]);
      const read = await readJournal<{ pairId: string; state: string }>(reviewPath(dataset));
      // Whole lines only, but a cut last line (reported as such); one tear is made by hand at k = 12.
      for (const d of read.damaged) assert.ok(/incomplete last entry/.test(d.reason) || (k > 12 && d.reason === 'not JSON'), `${JSON.stringify(d)} (${err})`);
      const s = await readReview(dataset);
      for (const [st, id] of reported) {
        assert.equal(s.decisions.get(id)?.state, st, `kill ${k}: reported ${st} ${id} is in the journal`);
        figures.decisions++;
      }
      // Unreported decisions the run may have written just before the kill: only its own.
      const mine = new Map([...acc.map((id) => [id, 'accepted'] as const), ...rej.map((id) => [id, 'rejected'] as const)]);
      for (const id of ids) {
        const now = s.decisions.get(id)?.state;
        assert.ok(now === state.get(id) || now === mine.get(id), `kill ${k}: ${id} is ${now}`);
      }
      state = new Map([...s.decisions].map(([id, d]) => [id, d.state]));
      if (k === 12) {
        // A writer cut mid-line (as a power cut can): the reader notes it, the next run carries on.
        appendFileSync(reviewPath(dataset), `{"type":"decision","pairId":"${ids[0]}","sta`);
        const r = itool('review', dataset);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /incomplete last entry .*\(skipped\)/);
      }
    }
    assert.equal(figures.kills.review, KILLS);
    // A complete run writes what is left and reports it; the journal holds every decision.
    const r = itool('review', dataset, '--pairs', pairsFile, '--accept', ...ids.slice(0, half), '--reject', ...ids.slice(half));
    assert.equal(r.code, 0, r.err);
    const s = await readReview(dataset);
    ids.forEach((id, i) => assert.equal(s.decisions.get(id)?.state, i < half ? 'accepted' : 'rejected'));
    assert.equal(s.damaged.length, 1, 'the one hand-made tear, reported and skipped');
    assert.match(r.out, new RegExp(`^${PAIRS} decisions: \\d+ written`, 'm'));
  });
});
