// `itool reward serve` as a trainer meets it: the README's Python client (Debian's python3 with
// python3-requests, which scripts/ensure.mjs installs) against the real service on 127.0.0.1,
// bad inputs included; its rewards must equal `itool check`'s on the same completions.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { referenceTurn, type Sample } from '../../src/core/dataset/sample';
import { rewardParts } from '../../src/core/reward/parts';
import { scoreItems } from '../../src/core/reward/service';
import { checkOutput, type Expectation } from '../../src/core/toolcall/check/index';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
// The shared BFCL data when this checkout has it; the committed fixtures (Java, JavaScript,
// multi-turn, memory, web_search) otherwise.
const BFCL = [process.env.BFCL_DATA, join(ROOT, '..', 'shared', 'data', 'bfcl'), join(ROOT, 'test', 'fixtures', 'datasets', 'bfcl')].find((d) => d && existsSync(d))!;
const PYTHON = process.env.ITOOL_REWARD_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const TOKEN_ENV = 'ITOOL_TEST_REWARD_TOKEN';
const TOKEN = `t0k3n-${process.pid}-${Date.now().toString(36)}`;

interface Item {
  id: string;
  completion: string;
}
interface CheckRow {
  id: string;
  line: number;
  valid: boolean;
  errors: { kind: string; span?: unknown; message: string }[];
  score: number | null;
  problem?: string;
}
interface Reward {
  score: number;
  valid: boolean;
  errors: { kind: string; span?: unknown; message: string }[];
  parts: { format: number; function: number; parameter_names: number; values: number };
}


/** The README's client, byte for byte: the ```python block that starts with `# itool_reward.py`. */
function readmeClient(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /```python\n(# itool_reward\.py[\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README.md has the itool_reward.py block');
  return m[1];
}

/** Completions per sample: its reference, and wrong ones of several kinds. */
function completionsOf(s: Sample): string[] {
  const ref = referenceTurn(s)?.content || s.acceptedTexts?.[0] || 'No function fits this request.';
  const out = [ref, 'I cannot help with that.', '[made_up_function(x=1)]'];
  if (ref.length > 4) out.push(ref.slice(0, ref.length - 3));
  if (/\)\]?$/.test(ref)) out.push(ref.replace(/\)(\]?)$/, ', zz_invented=1)$1'));
  return out;
}

async function items(): Promise<Item[]> {
  const out: Item[] = [];
  for (const file of readdirSync(BFCL).filter((f) => /^BFCL_v\d+_.*\.json$/.test(f)).sort()) {
    const ds = await Dataset.open(join(BFCL, file), { format: 'bfcl' });
    try {
      let taken = 0;
      for (let i = 0; i < ds.count && taken < 10; i++) {
        const r = await ds.sample(i);
        if (!r.ok) continue;
        for (const s of r.samples) {
          taken++;
          for (const completion of completionsOf(s)) out.push({ id: s.id, completion });
        }
      }
    } finally {
      await ds.close();
    }
  }
  return out;
}

/** Start the service; resolves with its URL once its start-up line is out. */
function serve(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; out: () => string; err: () => string }> {
  const child = spawn(process.execPath, [CLI, 'reward', 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start in 60 s: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving POST (http:\/\/127\.0\.0\.1:\d+)\/v1\/reward/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1], out: () => out, err: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited (${code}) before listening: ${err}`));
    });
  });
}

const PY_DRIVER = String.raw`
import json, os, sys, threading
import requests
sys.path.insert(0, sys.argv[1])
import itool_reward as ir

items = json.load(open(sys.argv[2]))
url = os.environ["ITOOL_REWARD_URL"]
out = {}

# TRL: batches of 64, plain and conversational completions mixed, the id column as a keyword.
trl = []
for k in range(0, len(items), 64):
    b = items[k:k + 64]
    comps = [it["completion"] if j % 2 == 0 else [{"role": "assistant", "content": it["completion"]}] for j, it in enumerate(b)]
    trl += ir.itool_reward(comps, id=[it["id"] for it in b], prompts=["p"] * len(b))
out["trl"] = trl
# verl: one sample a call, and the batch manager's form.
out["verl"] = [ir.compute_score("bfcl", it["completion"], it["id"], extra_info={"index": n}) for n, it in enumerate(items[:20])]
out["verl_batch"] = ir.compute_score_batch(["bfcl"] * len(items), [it["completion"] for it in items], [it["id"] for it in items], [{}] * len(items))
out["full"] = ir.rewards(items)

# 8 concurrent clients, each its own session, batches of 64.
conc = [None] * 8
def client(n):
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + os.environ["ITOOL_REWARD_TOKEN"]
    got = []
    for k in range(n * 64, len(items), 8 * 64):
        r = s.post(url, json=items[k:k + 64], timeout=120)
        r.raise_for_status()
        got.append([k, [x["score"] for x in r.json()]])
    conc[n] = got
threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join()
out["concurrent"] = [g for c in conc for g in c]

# Bad input: each answered with its 4xx, and the service goes on.
auth = {"Authorization": "Bearer " + os.environ["ITOOL_REWARD_TOKEN"]}
def status(r):
    try:
        body = r.json()
    except ValueError:
        body = {"raw": r.text}
    return {"status": r.status_code, "error": body.get("error") if isinstance(body, dict) else None}
bad = {}
bad["malformed"] = status(requests.post(url, data=b'[{"id": "x", "completion": ', headers=dict(auth, **{"content-type": "application/json"})))
bad["not_a_list"] = status(requests.post(url, json={"id": items[0]["id"], "completion": "x"}, headers=auth))
bad["unknown_id"] = status(requests.post(url, json=[items[0], {"id": "no_such_sample_42", "completion": "[f()]"}], headers=auth))
bad["no_completion"] = status(requests.post(url, json=[{"id": items[0]["id"]}], headers=auth))
bad["bad_inline"] = status(requests.post(url, json=[{"completion": "[f()]", "tools": "nope"}], headers=auth))
bad["oversize"] = status(requests.post(url, data=b"[" + b" " * (1 << 20) + b"]", headers=auth))
bad["too_deep"] = status(requests.post(url, data=b"[" * 600 + b"]" * 600, headers=auth))
bad["no_token"] = status(requests.post(url, json=items[:1]))
bad["wrong_token"] = status(requests.post(url, json=items[:1], headers={"Authorization": "Bearer not-the-token"}))
bad["get"] = status(requests.get(url, headers=auth))
bad["other_path"] = status(requests.post(url.replace("/v1/reward", "/v1/other"), json=[], headers=auth))
try:
    ir.rewards([{"id": "no_such_sample_42", "completion": "x"}])
    bad["client_raises"] = None
except RuntimeError as e:
    bad["client_raises"] = str(e)
out["bad"] = bad
# Still serving, inline samples too.
out["after"] = ir.rewards(items[:3] + [{"completion": "[f(a=1)]", "tools": [{"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}], "reference": [{"name": "f", "arguments": {"a": 1}}]}])
out["health"] = requests.get(url.replace("/v1/reward", "/v1/health"), headers=auth).json()
json.dump(out, sys.stdout)
`;

describe('itool reward serve, from Python', () => {
  const dir = mkdtempSync(join(tmpdir(), 'itool-reward-'));
  let service: Awaited<ReturnType<typeof serve>> | undefined;

  before(() => {
    ensureBuiltCli();
  });

  after(() => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  });

  it('rewards equal itool check on the same completions; bad input is refused with its 4xx; the token stays secret', async () => {
    const py = spawnSync(PYTHON, ['-c', 'import requests'], { encoding: 'utf8' });
    assert.equal(py.status, 0, `${PYTHON} cannot import requests: install python3-requests (node scripts/ensure.mjs requests), or set ITOOL_REWARD_PYTHON\n${py.stderr}`);

    const all = await items();
    assert.ok(all.length > 100, `${all.length} completions from ${BFCL}`);
    const itemsFile = join(dir, 'items.json');
    writeFileSync(itemsFile, JSON.stringify(all));
    const outputs = join(dir, 'outputs.jsonl');
    writeFileSync(outputs, all.map((x) => JSON.stringify({ id: x.id, output: x.completion })).join('\n'));
    const check = spawnSync(process.execPath, [CLI, 'check', '--questions', BFCL, '--outputs', outputs, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(check.status, 0, check.stderr);
    const rows = check.stdout.trim().split('\n').map((l) => JSON.parse(l) as CheckRow);
    assert.equal(rows.length, all.length);
    assert.ok(rows.every((r) => r.score !== null), rows.find((r) => r.score === null)?.problem);
    assert.ok(rows.some((r) => r.valid) && rows.some((r) => !r.valid));

    const env = { ...process.env, [TOKEN_ENV]: TOKEN };
    service = await serve(['--dataset', BFCL, '--port', '0', '--token-env', TOKEN_ENV, '--max-body-mb', '1'], env);
    writeFileSync(join(dir, 'itool_reward.py'), readmeClient());
    writeFileSync(join(dir, 'driver.py'), PY_DRIVER);
    const run = spawnSync(PYTHON, [join(dir, 'driver.py'), dir, itemsFile], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, ITOOL_REWARD_URL: `${service.url}/v1/reward`, ITOOL_REWARD_TOKEN: TOKEN },
      timeout: 300_000,
    });
    assert.equal(run.status, 0, `python client failed:\n${run.stderr}\nservice log:\n${service.err()}`);
    const got = JSON.parse(run.stdout) as {
      trl: number[];
      verl: number[];
      verl_batch: number[];
      full: Reward[];
      concurrent: [number, number[]][];
      bad: Record<string, { status: number; error?: { code: string; message: string; item?: number } } | string | null>;
      after: Reward[];
      health: { ok: boolean; records: number };
    };

    const scores = rows.map((r) => r.score);
    assert.deepEqual(got.trl, scores, 'TRL reward function = itool check');
    assert.deepEqual(got.verl, scores.slice(0, 20), 'verl compute_score = itool check');
    assert.deepEqual(got.verl_batch, scores, 'verl batch = itool check');
    got.full.forEach((r, k) => {
      assert.equal(r.valid, rows[k].valid, `item ${k}`);
      assert.deepEqual(r.errors, rows[k].errors, `item ${k}: the same errors, spans and messages`);
      const p = r.parts;
      assert.equal([p.format, p.function, p.parameter_names, p.values].every((x) => x === 1), r.valid, `item ${k}: parts all 1 exactly when valid ${JSON.stringify(p)}`);
      assert.ok([p.format, p.function, p.parameter_names, p.values].every((x) => x >= 0 && x <= 1), `item ${k}`);
    });
    const concurrent = new Array<number>(all.length);
    for (const [k, s] of got.concurrent) s.forEach((x, j) => (concurrent[k + j] = x));
    assert.deepEqual(concurrent, scores, '8 concurrent clients get the same rewards');

    const bad = got.bad as Record<string, { status: number; error: { code: string; message: string; item?: number } }>;
    const expect: Record<string, [number, string]> = {
      malformed: [400, 'malformed_json'],
      not_a_list: [400, 'invalid_request'],
      unknown_id: [404, 'unknown_id'],
      no_completion: [422, 'invalid_item'],
      bad_inline: [422, 'invalid_item'],
      oversize: [413, 'too_large'],
      too_deep: [400, 'too_deep'],
      no_token: [401, 'unauthorized'],
      wrong_token: [401, 'unauthorized'],
      get: [405, 'method_not_allowed'],
      other_path: [404, 'not_found'],
    };
    for (const [name, [status, code]] of Object.entries(expect)) {
      assert.equal(bad[name].status, status, `${name}: ${JSON.stringify(bad[name])}`);
      assert.equal(bad[name].error.code, code, name);
      assert.ok(bad[name].error.message.length > 10, name);
    }
    assert.equal(bad.unknown_id.error.item, 1);
    assert.match(bad.unknown_id.error.message, /no_such_sample_42/);
    assert.match(got.bad.client_raises as string, /HTTP 404/);
    assert.deepEqual(got.after.slice(0, 3).map((r) => r.score), scores.slice(0, 3), 'still serving after the bad requests');
    assert.equal(got.after[3].score, 1, 'an inline sample');
    assert.equal(got.health.ok, true);

    service.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => service!.child.on('exit', (c) => r(c)));
    assert.equal(code, 0, service.err());
    assert.ok(!service.out().includes(TOKEN) && !service.err().includes(TOKEN), 'the token is never printed');
    assert.match(service.err(), /401 unauthorized/, 'refusals are logged');
  });

  it('refuses to start without what it needs, and never takes a token on the command line', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'reward', ...args], { encoding: 'utf8', env: { ...process.env, EMPTY_TOKEN: '' } });
    let r = run('serve', '--dataset', BFCL, '--token', 'secret-on-the-command-line');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /never taken from the command line/);
    assert.ok(!r.stderr.includes('secret-on-the-command-line'));
    r = run('serve', '--dataset', BFCL, '--token-env', 'EMPTY_TOKEN');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /EMPTY_TOKEN: that environment variable is empty/);
    r = run('serve', '--dataset', BFCL, '--token-env', 'ITOOL_NO_SUCH_VARIABLE_SET');
    assert.match(r.stderr, /is not set/);
    r = run('serve');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--dataset DATASET is required/);
    r = run('serve', '--dataset', join(dir, 'missing.json'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /dataset not found/);
    r = run('serve', '--dataset', BFCL, '--host', 'example.com');
    assert.equal(r.status, 2);
    r = run('bogus');
    assert.equal(r.status, 2);
  });
});

describe('reward parts and inline samples (in process)', () => {
  const tools = [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } }, required: ['a'] } }];
  const exp: Expectation = { kind: 'bfcl', category: 'simple', possibleAnswers: [{ f: { a: [1], b: ['x', ''] } }], tools };
  const parts = (out: string, e: Expectation = exp) => rewardParts(checkOutput(out, e), e);

  it('reads format, function, names and values off the verdict', () => {
    assert.deepEqual(parts('[f(a=1, b="x")]'), { format: 1, function: 1, parameter_names: 1, values: 1 });
    assert.deepEqual(parts('[f(a=2)]'), { format: 1, function: 1, parameter_names: 1, values: 0 });
    assert.deepEqual(parts('[f(a=1, c=3)]'), { format: 1, function: 1, parameter_names: 0.5, values: 1 });
    assert.deepEqual(parts('[f(b="x")]'), { format: 1, function: 1, parameter_names: 0.5, values: 0.5 });
    assert.deepEqual(parts('[g(a=1)]'), { format: 1, function: 0, parameter_names: 0, values: 0 });
    assert.deepEqual(parts('[f(a=1), f(a=1)]'), { format: 1, function: 0.5, parameter_names: 0.5, values: 0.5 });
    assert.deepEqual(parts('[f(a='), { format: 0, function: 0, parameter_names: 0, values: 0 });
    assert.deepEqual(parts('No call.'), { format: 0, function: 0, parameter_names: 0, values: 0 });
    const none: Expectation = { kind: 'no_call', tools };
    assert.deepEqual(parts('No call.', none), { format: 1, function: 1, parameter_names: 1, values: 1 });
    assert.deepEqual(parts('[f(a=1)]', none), { format: 1, function: 0, parameter_names: 0, values: 0 });
  });

  it('inline samples: BFCL answers, references, accepted answers, no call; bad ones name their field', () => {
    const got = scoreItems([
      { completion: '[f(a=1)]', tools, possible_answers: [{ f: { a: [1], b: ['x', ''] } }] },
      { completion: '[f(a=1)]', tools, reference: [{ name: 'f', arguments: { a: 2 } }] },
      { completion: 'It is in Paris.', accepted_answers: ['Paris'] },
      { completion: '[f(a=1)]', tools },
      { completion: '[f(a=1)]', tools, possible_answers: [{ f: { a: [1] } }], category: 'irrelevance' },
    ]);
    assert.deepEqual(got.map((r) => r.valid), [true, false, true, false, false]);
    assert.deepEqual(got[1].errors.map((e) => e.kind), ['wrong_value']);
    const refuse = (items: unknown, code: string, re: RegExp, maxItems?: number) =>
      assert.throws(() => scoreItems(items, { maxItems }), (e: { code?: string; message: string }) => e.code === code && re.test(e.message));
    refuse([{ completion: 'x', tools: [{ description: 'no name' }] }], 'invalid_item', /item 0: "tools"\[0\] must be an object with a "name"/);
    refuse([{ completion: 'x', possible_answers: [{ f: { a: 1 } }] }], 'invalid_item', /f\.a must be the list of accepted values/);
    refuse([{ completion: 'x', reference: [], accepted_answers: [] }], 'invalid_item', /give one of/);
    refuse([{ completion: 'x', tools: [], category: 'nope' }], 'invalid_item', /"category" must be a BFCL category/);
    refuse([{ id: 'x', completion: 'y' }], 'unknown_id', /no dataset is served/);
    refuse([{ completion: 3 }], 'invalid_item', /"completion" must be a string/);
    refuse(Array.from({ length: 3 }, () => ({ completion: 'x' })), 'too_many_items', /3 items in one request; at most 2/, 2);
  });
});
