// The benchmarks' set-up (bench/env.ts), without running any benchmark: where the BFCL data comes
// from when the shared folder is missing, and bench/run.ts's --quick / --only.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BENCHES, bfclData, parseRunArgs, ROOT, selectBenches, sharedDir } from '../../bench/env';

const tmp = mkdtempSync(join(tmpdir(), 'itool-bench-env-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('bench data location', () => {
  it('falls back to the demo slice when the shared folder is missing', () => {
    const empty = join(tmp, 'empty-shared');
    mkdirSync(empty);
    const d = bfclData(ROOT, { ITOOL_SHARED_DIR: empty });
    assert.equal(d.source, 'demo');
    assert.equal(d.dir, join(ROOT, 'demo', 'datasets', 'bfcl'));
    assert.ok(existsSync(join(d.dir, 'BFCL_v4_simple_python.json')));
    assert.match(d.note, /demo slice, 4 of BFCL's 10 Python categories, 150 samples\): .*empty-shared.* is absent/);
    assert.equal(bfclData(ROOT, { ITOOL_SHARED_DIR: '/nonexistent' }).source, 'demo');
  });

  it('looks for ../shared beside the root it is given', () => {
    // A repository root in an empty folder: no ../shared, so its own demo slice.
    const repo = join(tmp, 'a', 'repo');
    mkdirSync(repo, { recursive: true });
    assert.equal(sharedDir(repo, {}), join(tmp, 'a', 'shared'));
    const d = bfclData(repo, {});
    assert.equal(d.source, 'demo');
    assert.equal(d.dir, join(repo, 'demo', 'datasets', 'bfcl'));
    // With a ../shared/data/bfcl beside it, that one.
    const shared = join(tmp, 'a', 'shared', 'data', 'bfcl');
    mkdirSync(shared, { recursive: true });
    writeFileSync(join(shared, 'BFCL_v4_simple_python.json'), '{"id":"simple_python_0"}\n{"id":"simple_python_1"}\n');
    const s = bfclData(repo, {});
    assert.equal(s.source, 'shared');
    assert.equal(s.dir, shared);
    assert.match(s.note, /1 of BFCL's 10 Python categories, 2 samples/);
    // ITOOL_SHARED_DIR overrides ../shared, even when ../shared exists.
    assert.equal(bfclData(repo, { ITOOL_SHARED_DIR: join(tmp, 'nowhere') }).source, 'demo');
  });

  it('takes ITOOL_BFCL_DIR first, and refuses one that does not exist', () => {
    const mine = join(tmp, 'my-bfcl');
    mkdirSync(mine);
    const d = bfclData(ROOT, { ITOOL_BFCL_DIR: mine, ITOOL_SHARED_DIR: '/nonexistent' });
    assert.equal(d.source, 'ITOOL_BFCL_DIR');
    assert.equal(d.dir, mine);
    assert.throws(() => bfclData(ROOT, { ITOOL_BFCL_DIR: join(tmp, 'missing') }), /ITOOL_BFCL_DIR=.*missing does not exist/);
  });
});

describe('bench/run.ts arguments', () => {
  const all = BENCHES.map((b) => b.name);

  it('runs everything, in full, by default', () => {
    assert.deepEqual(parseRunArgs([], {}), { quick: false, only: all, keep: false, help: false });
  });

  it('--quick and BENCH_QUICK=1 choose quick mode', () => {
    assert.equal(parseRunArgs(['--quick'], {}).quick, true);
    assert.equal(parseRunArgs([], { BENCH_QUICK: '1' }).quick, true);
    assert.equal(parseRunArgs([], { BENCH_QUICK: '0' }).quick, false);
    assert.equal(parseRunArgs([], { BENCH_KEEP: '1' }).keep, true);
  });

  it('--only takes benchmark names or the JSON line names they print, in run order', () => {
    assert.deepEqual(parseRunArgs(['--only', 'reward,check'], {}).only, ['check', 'reward']);
    assert.deepEqual(parseRunArgs(['--only=search', '--quick'], {}), { quick: true, only: ['search'], keep: false, help: false });
    assert.deepEqual(parseRunArgs(['--only', 'index', '--only', 'reward_per_s'], {}).only, ['index', 'reward']);
    assert.deepEqual(parseRunArgs(['--only', 'checkvsbfcl'], {}).only, ['checkVsBfcl']);
    assert.deepEqual(parseRunArgs([], { BENCH_ONLY: 'score' }).only, ['score']);
    assert.deepEqual(parseRunArgs(['--only', 'panel'], { BENCH_ONLY: 'score' }).only, ['panel']);
    assert.deepEqual(selectBenches(['bench/panel.bench.ts']), ['panel']);
  });

  it('refuses unknown names and flags', () => {
    assert.throws(() => parseRunArgs(['--only', 'nope'], {}), /unknown benchmark 'nope'/);
    assert.throws(() => parseRunArgs(['--only'], {}), /--only needs a benchmark name/);
    assert.throws(() => parseRunArgs(['--only', '--quick'], {}), /--only needs a benchmark name/);
    assert.throws(() => parseRunArgs(['--only', ','], {}), /at least one/);
    assert.throws(() => parseRunArgs(['--fast'], {}), /unknown argument '--fast'/);
    assert.equal(parseRunArgs(['--help'], {}).help, true);
  });

  it('knows every benchmark file and the names each prints', () => {
    for (const b of BENCHES) {
      const src = readFileSync(join(ROOT, b.file), 'utf8');
      for (const m of b.metrics) assert.ok(src.includes(`'${m}'`), `${b.file} prints no '${m}'`);
    }
  });
});
