// `itool calibrate` against a misbehaving OpenAI-compatible server (issue 15, findings 4-6): the
// STAND-IN for vLLM in test/support/openaiStandIn.ts (real HTTP on 127.0.0.1, vLLM's JSON, a toy
// bigram model whose numbers do not depend on the server instance) injects 429s, 5xx, stalls,
// connection resets, cut-off JSON, impossible logprobs and 401s, and the CLI runs as a user runs
// it (a child process, from the sources). Every run checks: the numbers are those of a clean run
// (transient faults) or the run stops with a clear non-zero error (permanent ones), a rerun loses
// nothing, no NaN is printed, and no secret of the endpoint URL reaches a file or the terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OpenAIStandIn, type Fault, type StandInOptions, type TargetedFault } from '../support/openaiStandIn';
import { EndpointUnavailableError, InvalidLogprobsError } from '../../src/core/model/openai/endpointErrors';
import { RemotePolicy } from '../../src/core/model/openai/remotePolicy';
import { parseEndpointUrl, scrubUrl, scrubUrlsIn } from '../../src/core/model/openai/endpointUrl';
import { FIXTURES, type CorpusTemplate } from '../support/templateCorpus';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'itool.ts');
const QWEN = (JSON.parse(readFileSync(join(FIXTURES, 'corpus.json'), 'utf8')) as CorpusTemplate[]).find((t) => t.name === 'hf:Qwen/Qwen2.5-7B-Instruct') as CorpusTemplate;

/** Credentials in the endpoint URL: user info (HTTP Basic for the stand-in) and a key as a query parameter. */
const USER = 'alice-user';
const PASSWORD = 'pw-S3cret-9';
const KEY = 'K-Qk3y-77';
const SECRETS = [USER, PASSWORD, KEY, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];
const credURL = (url: string): string => `${url.replace('http://', `http://${USER}:${PASSWORD}@`)}?api-key=${KEY}&mode=fast`;
const scrubbedURL = (url: string): string => `${url.replace('http://', 'http://***@')}?api-key=***&mode=fast`;
const CREDENTIALS: StandInOptions = { basicAuth: `${USER}:${PASSWORD}`, requiredQuery: { 'api-key': KEY } };

// Figures for the summary line.
const tally = { runs: 0, faults: 0, scenarios: 0, transient: 0, permanent: 0, suiteRuns: 0, suiteFaults: 0, filesChecked: 0, secretsFound: 0 };
const servers: OpenAIStandIn[] = [];
/** Temporary folders, removed at the end. */
const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
let template = '';
/** The clean run's perplexity per record (the stand-in's model is the same in every instance). */
const reference = new Map<number, number>();

before(async () => {
  const dir = tempDir('itool-faults-tpl-');
  template = join(dir, 'tokenizer_config.json');
  writeFileSync(template, JSON.stringify({ chat_template: QWEN.template, ...QWEN.specialTokens }));
  const s = await standIn();
  const ds = dataset(40);
  const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds)]);
  assert.equal(r.code, 0, r.err);
  for (const [i, e] of results(ds)) reference.set(i, e.ppl as number);
  assert.equal(reference.size, 40);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const s of servers) tally.faults += s.faultsServed;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  console.log(
    `endpoint fault suite: ${tally.scenarios} scenarios (${tally.transient} transient: clean-run numbers; ${tally.permanent} permanent: non-zero exit, ` +
      `then a rerun completes), ${tally.suiteFaults} faults injected over ${tally.suiteRuns} itool calibrate runs; whole file: ${tally.faults} faults, ` +
      `${tally.runs} itool runs; ${tally.filesChecked} written files and every checked run's stdout/stderr searched for the URL's secrets: ${tally.secretsFound} found`,
  );
});

async function standIn(opts: StandInOptions = {}): Promise<OpenAIStandIn> {
  const s = await OpenAIStandIn.start(opts);
  servers.push(s);
  return s;
}

/** A dataset of `n` text answers (OpenAI chat format) in a fresh folder. */
function dataset(n: number): string {
  const file = join(tempDir('itool-faults-'), 'd.jsonl');
  const rows = Array.from({ length: n }, (_, i) => JSON.stringify({ messages: [{ role: 'user', content: `question ${i}?` }, { role: 'assistant', content: `Hello world, answer ${i}.` }], tools: [] }));
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

const common = (s: OpenAIStandIn, ds: string): string[] => ['--served-model', s.modelName, '--chat-template', template, '--batch', '4', '-o', join(ds, '..', 'selection.json')];

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** `itool ARGS` from the sources, as a child process (the stand-in answers from this one). */
function itool(args: string[], env: Record<string, string> = {}): Promise<Run> {
  tally.runs++;
  const started = Date.now();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.OPENAI_API_KEY) delete childEnv.OPENAI_API_KEY;
  const done = new Promise<Run>((resolveRun) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: childEnv });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A run that grinds on is a failure too: stopped after a minute (exit code null).
    const limit = setTimeout(() => {
      err += '\n[test] killed after 60 s\n';
      p.kill('SIGKILL');
    }, 60_000);
    p.on('close', (code) => {
      clearTimeout(limit);
      resolveRun({ code, out, err, ms: Date.now() - started });
    });
  });
  return done.then((run) => {
    // Never a NaN cut-off (or any NaN) on the terminal.
    assert.doesNotMatch(run.out + run.err, /NaN/, `${run.out}${run.err}`);
    return run;
  });
}

/** The calibration journal's view (last entry per record wins), read as the file is. */
function journal(ds: string): { header: Record<string, unknown>; results: Map<number, { ppl: unknown; tokens: number }>; skips: Map<number, { kind?: string; reason: string }> } {
  const dir = join(`${ds}.itool`, 'calibration');
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  assert.equal(files.length, 1, files.join(', '));
  const lines = readFileSync(join(dir, files[0]), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const results = new Map<number, { ppl: unknown; tokens: number }>();
  const skips = new Map<number, { kind?: string; reason: string }>();
  for (const e of lines) {
    if (e.type === 'result') results.set(e.index as number, e as unknown as { ppl: unknown; tokens: number });
    if (e.type === 'skip') skips.set(e.index as number, e as unknown as { kind?: string; reason: string });
  }
  return { header: lines[0], results, skips };
}
const results = (ds: string) => journal(ds).results;

/** Every record's perplexity is the clean run's. */
function assertReference(ds: string, n: number): void {
  const r = results(ds);
  assert.equal(r.size, n, `${r.size} results for ${n} records`);
  for (const [i, e] of r) {
    assert.equal(typeof e.ppl, 'number', `record ${i}: ppl ${String(e.ppl)}`);
    const want = reference.get(i) as number;
    assert.ok(Math.abs((e.ppl as number) - want) <= 1e-9 * want, `record ${i}: ppl ${String(e.ppl)}, clean run ${want}`);
  }
}

/** No secret of the URL in any file under the dataset's folder but the dataset itself, nor in the runs' output. */
function assertNoSecrets(ds: string, runs: Run[]): void {
  const texts: [string, string][] = runs.flatMap((r, k) => [[`run ${k} stdout`, r.out], [`run ${k} stderr`, r.err]] as [string, string][]);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p !== ds) {
        texts.push([p, readFileSync(p, 'utf8')]);
        tally.filesChecked++;
      }
    }
  };
  walk(join(ds, '..'));
  for (const [where, text] of texts) {
    for (const secret of SECRETS) {
      if (text.includes(secret)) {
        tally.secretsFound++;
        assert.fail(`${where} holds the secret ${secret}:\n${text.slice(0, 2000)}`);
      }
    }
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('finding 4: endpoint answers are validated, not taken on trust', () => {
  for (const json of ['-1e999', '1', 'NaN', 'null']) {
    it(`an answer with a logprob of ${json} is asked again once, and every number is the clean run's`, async () => {
      const s = await standIn();
      const ds = dataset(12);
      s.inject({ kind: 'logprob', json });
      const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds)]);
      assert.equal(r.code, 0, r.err);
      assertReference(ds, 12);
      assert.equal(s.received, 13, 'one request more than samples: the one retry');
    });
  }

  it('an answer impossible on its retry too fails the sample as invalid-logprobs, named; a rerun re-scores it', async () => {
    const s = await standIn();
    const ds = dataset(12);
    s.inject({ kind: 'logprob', json: '1', match: 'question 5?' }, 100);
    const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds), '--max-skip-share', '0.1']);
    assert.equal(r.code, 0, r.err);
    const j = journal(ds);
    assert.equal(j.results.size, 11);
    assert.ok(!j.results.has(5));
    assert.equal(j.skips.get(5)?.kind, 'invalid-logprobs', JSON.stringify(j.skips.get(5)));
    assert.match(j.skips.get(5)?.reason ?? '', /logprob.*\b1\b/);
    assert.match(r.out, /invalid-logprobs 1/);
    s.clearFaults();
    const again = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds)]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /\(11 resumed\)/);
    assertReference(ds, 12);
  });

  it('journal results with a null or impossible ppl (older versions) are not trusted on resume: re-scored', async () => {
    const s = await standIn();
    const ds = dataset(12);
    assert.equal((await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds)])).code, 0);
    // What an older version wrote for a -1e999 answer (ppl Infinity → null) and a +3.5 one (0.03).
    const dir = join(`${ds}.itool`, 'calibration');
    const file = join(dir, readdirSync(dir)[0]);
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of lines) {
      if (e.type === 'result' && e.index === 2) e.ppl = null;
      if (e.type === 'result' && e.index === 7) e.ppl = 0.03;
    }
    writeFileSync(file, lines.map((e) => `${JSON.stringify(e)}\n`).join(''));
    s.resetCounters();
    const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds)]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(10 resumed\)/);
    assert.equal(s.received, 2, 'the two untrusted results are scored again');
    assertReference(ds, 12);
    const sel = JSON.parse(readFileSync(join(ds, '..', 'selection.json'), 'utf8')) as { selected: { ppl: unknown }[] };
    for (const e of sel.selected) assert.ok(typeof e.ppl === 'number' && e.ppl >= 1, JSON.stringify(e));
  });
});

describe('finding 5: credentials in the endpoint URL are used, never shown or stored', () => {
  it('user info goes as Basic auth and the query parameters with every request; no file or output holds a secret', async () => {
    const s = await standIn(CREDENTIALS);
    const ds = dataset(12);
    const r = await itool(['calibrate', ds, '--endpoint', credURL(s.url), ...common(s, ds)]);
    assert.equal(r.code, 0, r.err);
    assertReference(ds, 12);
    assert.ok(s.requests.length >= 12);
    for (const q of s.requests) {
      assert.equal(q.authorization, `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
      assert.equal(new URLSearchParams(q.query).get('api-key'), KEY);
      assert.equal(new URLSearchParams(q.query).get('mode'), 'fast');
    }
    // The journal and the selection name the endpoint, scrubbed.
    assert.equal(journal(ds).header.model, `endpoint:${scrubbedURL(s.url)}#${s.modelName}`);
    const sel = JSON.parse(readFileSync(join(ds, '..', 'selection.json'), 'utf8')) as { model: string };
    assert.equal(sel.model, `endpoint:${scrubbedURL(s.url)}#${s.modelName}`);
    // explore with the same URL: its journal header and pairs file hold no secret either.
    const e = await itool(['explore', ds, '--endpoint', credURL(s.url), '--served-model', s.modelName, '--chat-template', template, '--selection', join(ds, '..', 'selection.json'), '-o', join(ds, '..', 'pairs.jsonl'), '--iters', '1', '--actions', '2', '--depth', '1', '--max-new-tokens', '4']);
    assert.equal(e.code, 0, e.err + e.out);
    assert.ok(existsSync(join(`${ds}.itool`, 'explore')));
    assertNoSecrets(ds, [r, e]);
  });

  it('scrubbing: user info and secret-looking parameters go, everything else stays as written (ids of plain URLs unchanged)', () => {
    assert.equal(scrubUrl('http://u:p@h:1/v1?api-key=K&mode=x&access_token=T&sig=S&X-Amz-Signature=Z&model=m'), 'http://***@h:1/v1?api-key=***&mode=x&access_token=***&sig=***&X-Amz-Signature=***&model=m');
    assert.equal(scrubUrl('HTTP://Localhost:8000/v1/'), 'HTTP://Localhost:8000/v1/');
    assert.equal(scrubUrlsIn('GET https://a:b@x.io/p?token=1 failed; see http://y/z'), 'GET https://***@x.io/p?token=*** failed; see http://y/z');
    const plain = new RemotePolicy({ baseURL: 'http://localhost:8000/v1/', model: 'm' });
    assert.equal(plain.id, 'endpoint:http://localhost:8000/v1#m', 'journals of earlier versions are still found');
    const e = parseEndpointUrl(`http://${USER}:${PASSWORD}@h:8000/v1/?api-key=${KEY}`);
    assert.deepEqual([e.base, e.display, e.query, e.basicAuth], ['http://h:8000/v1', 'http://***@h:8000/v1?api-key=***', { 'api-key': KEY }, `Basic ${SECRETS[3]}`]);
    const withCreds = new RemotePolicy({ baseURL: credURL('http://h:8000/v1'), model: 'm' });
    for (const secret of SECRETS) assert.ok(!withCreds.id.includes(secret) && !withCreds.label.includes(secret), withCreds.id);
    assert.throws(() => new RemotePolicy({ baseURL: `htp:/${USER}:${PASSWORD}@h?api-key=${KEY}`, model: 'm' }), (err: Error) => SECRETS.every((x) => !err.message.includes(x)));
  });

  it("the server's own template (/tokenize, /detokenize) gets the credentials too", async () => {
    const s = await standIn({ ...CREDENTIALS, chatTemplate: QWEN.template, specialTokens: QWEN.specialTokens });
    const p = new RemotePolicy({ baseURL: credURL(s.url), model: s.modelName, retryBaseMs: 5 });
    try {
      const prompt = await p.chatTemplate([{ role: 'user', content: 'Hello' }], [], { addGenerationPrompt: true });
      const [scored] = await p.score([{ prompt, response: 'Hello world<|im_end|>' }]);
      assert.ok(scored.tokens.length > 0);
      assert.deepEqual([...new Set(s.requests.map((q) => q.path))].sort(), ['/detokenize', '/tokenize', '/v1/completions']);
      for (const q of s.requests) assert.equal(new URLSearchParams(q.query).get('api-key'), KEY);
    } finally {
      await p.close();
    }
  });

  it('a server refusing the credentials (echoing them) and a dead server: the error names the scrubbed URL and the cause, no secret', async () => {
    const s = await standIn({ basicAuth: `${USER}:other`, leakAuthInErrors: true });
    const ds = dataset(12);
    const refused = await itool(['calibrate', ds, '--endpoint', credURL(s.url), ...common(s, ds)]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /HTTP 401/);
    assert.ok(refused.err.includes(scrubbedURL(s.url)), refused.err);
    const port = await closedPort();
    const dead = `http://127.0.0.1:${port}/v1`;
    const down = await itool(['calibrate', ds, '--endpoint', credURL(dead), ...common(s, ds), '--max-retries', '0']);
    assert.notEqual(down.code, 0);
    assert.match(down.err, /ECONNREFUSED/);
    assert.ok(down.err.includes(scrubbedURL(dead)), down.err);
    assertNoSecrets(ds, [refused, down]);
  });
});

describe('finding 6: a bad server fails the run fast and loud', () => {
  it('401 to everything: exits non-zero within seconds naming the 401, after one request', async () => {
    const s = await standIn({ apiKey: 'sk-right', leakAuthInErrors: true });
    const ds = dataset(40);
    const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds)], { OPENAI_API_KEY: 'sk-wrong-S3cret' });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /HTTP 401/);
    assert.ok(!(r.out + r.err).includes('sk-wrong-S3cret'));
    const asked = s.requests.filter((q) => q.path === '/v1/completions').length;
    assert.ok(asked <= 2, `${asked} requests`);
    assert.ok(r.ms < 10_000, `${r.ms} ms`);
    assert.ok(!existsSync(join(ds, '..', 'selection.json')));
  });

  it('500 to everything: the circuit breaker stops the run long before samples × attempts requests', async () => {
    const s = await standIn();
    s.failAll = { kind: 'status', status: 500, message: 'engine dead' };
    const ds = dataset(40);
    const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds), '--max-retries', '1']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /HTTP 500: engine dead/);
    assert.match(r.err, /in a row/);
    assert.ok(s.received >= 8 && s.received <= 24, `${s.received} requests, where 40 samples × 2 attempts would be 80`);
    assert.ok(!existsSync(join(ds, '..', 'selection.json')));
  });

  it('the breaker in RemotePolicy: 8 failed requests in a row, then every call fails at once with the last error; a 401 at once', async () => {
    const s = await standIn();
    s.failAll = { kind: 'status', status: 503, message: 'overloaded' };
    const p = new RemotePolicy({ baseURL: s.url, model: s.modelName, maxRetries: 1, retryBaseMs: 1, maxInFlight: 1 });
    const ask = () => p.sample('he', '', { n: 1, temperature: 0, maxTokens: 1 }).then(() => undefined, (e: Error) => e);
    const errors: (Error | undefined)[] = [];
    for (let k = 0; k < 12; k++) errors.push(await ask());
    assert.equal(s.received, 16, '8 requests × 2 attempts, then none');
    assert.ok(errors.slice(0, 7).every((e) => e && !(e instanceof EndpointUnavailableError)));
    for (const e of errors.slice(7)) {
      assert.ok(e instanceof EndpointUnavailableError, String(e));
      assert.match(e.message, /8 requests in a row failed.*HTTP 503: overloaded/);
    }
    assert.ok(p.unavailable);
    await p.close();
    const k = await standIn({ apiKey: 'right' });
    const q = new RemotePolicy({ baseURL: k.url, model: k.modelName, apiKey: 'wrong', retryBaseMs: 1 });
    const first = await q.sample('he', '', { n: 1, temperature: 0, maxTokens: 1 }).then(() => undefined, (e: Error) => e);
    assert.match(String(first?.message), /HTTP 401/);
    const next = await q.sample('he', '', { n: 1, temperature: 0, maxTokens: 1 }).then(() => undefined, (e: Error) => e);
    assert.ok(next instanceof EndpointUnavailableError && /HTTP 401/.test(next.message));
    assert.equal(k.requests.length, 1);
    await q.close();
  });

  it('sampling (explore) validates logprobs too: asked again once, then an InvalidLogprobsError', async () => {
    const s = await standIn();
    const p = new RemotePolicy({ baseURL: s.url, model: s.modelName, retryBaseMs: 1 });
    s.inject({ kind: 'logprob', json: '-1e999' });
    const [c] = await p.sample('he', '', { n: 1, temperature: 0, maxTokens: 3 });
    assert.ok(c.tokens.every((t) => Number.isFinite(t.logprob) && t.logprob <= 0));
    assert.equal(s.received, 2);
    s.inject({ kind: 'logprob', json: '2.5' }, 2);
    const e = await p.sample('he', '', { n: 1, temperature: 0, maxTokens: 3 }).then(() => undefined, (err: Error) => err);
    assert.ok(e instanceof InvalidLogprobsError, String(e));
    assert.match(e.message, /logprob of 2\.5/);
    await p.close();
  });

  it('explore against a server failing every request stops non-zero with the breaker\'s message', async () => {
    const s = await standIn();
    const ds = dataset(12);
    const sel = join(ds, '..', 'selection.json');
    assert.equal((await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds), '--ratio', '1'])).code, 0);
    s.failAll = { kind: 'status', status: 500, message: 'engine dead' };
    const r = await itool(['explore', ds, '--endpoint', s.url, '--served-model', s.modelName, '--chat-template', template, '--selection', sel, '-o', join(ds, '..', 'pairs.jsonl'), '--iters', '1', '--actions', '2', '--depth', '1', '--max-new-tokens', '4', '--max-retries', '0']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /exploration stopped: .*in a row.*HTTP 500: engine dead/);
    assert.ok(s.received < 24, `${s.received} requests`);
  });

  it('a stalled request with --timeout 1 is abandoned after a second and asked again', async () => {
    const s = await standIn();
    s.inject({ kind: 'hang' });
    const ds = dataset(12);
    const r = await itool(['calibrate', ds, '--endpoint', s.url, ...common(s, ds), '--timeout', '1']);
    assert.equal(r.code, 0, r.err);
    assertReference(ds, 12);
    assert.equal(s.received, 13);
    assert.ok(r.ms < 15_000, `${r.ms} ms`);
  });
});

interface Scenario {
  name: string;
  /** Faults queued before the run (count each). */
  faults?: [TargetedFault, number][];
  /** Every request after the queued ones (permanent). */
  always?: Fault;
  args?: string[];
  /** Permanent: the run must stop non-zero with this in its message, then a fault-free rerun completes. */
  stops?: RegExp;
}

const SUITE: Scenario[] = [
  { name: '429 with Retry-After: 1', faults: [[{ kind: 'status', status: 429, retryAfter: '1' }, 2]] },
  { name: '503 three times', faults: [[{ kind: 'status', status: 503 }, 3]] },
  { name: '500 then 502', faults: [[{ kind: 'status', status: 500 }, 1], [{ kind: 'status', status: 502 }, 1]] },
  { name: 'a stall (--timeout 1)', faults: [[{ kind: 'hang' }, 1]], args: ['--timeout', '1'] },
  { name: 'connection resets', faults: [[{ kind: 'reset' }, 2]] },
  { name: 'a reset mid-body', faults: [[{ kind: 'reset-mid-body' }, 1]] },
  { name: 'truncated JSON', faults: [[{ kind: 'truncated' }, 2]] },
  { name: 'logprob NaN', faults: [[{ kind: 'logprob', json: 'NaN' }, 1]] },
  { name: 'logprob +1', faults: [[{ kind: 'logprob', json: '1' }, 1]] },
  { name: 'logprob -1e999', faults: [[{ kind: 'logprob', json: '-1e999' }, 1]] },
  { name: 'logprob missing', faults: [[{ kind: 'logprob', json: 'null' }, 1]] },
  { name: '401 after 8 answers', faults: [[{ kind: 'none' }, 8]], always: { kind: 'status', status: 401, message: 'Unauthorized' }, stops: /HTTP 401/ },
  { name: '500 forever after 8 answers', faults: [[{ kind: 'none' }, 8]], always: { kind: 'status', status: 500 }, args: ['--max-retries', '1'], stops: /in a row.*HTTP 500/ },
  { name: 'stalls forever after 8 answers (--timeout 1)', faults: [[{ kind: 'none' }, 8]], always: { kind: 'hang' }, args: ['--timeout', '1', '--max-retries', '0'], stops: /no answer within 1 s/ },
  { name: 'truncated JSON forever after 8 answers', faults: [[{ kind: 'none' }, 8]], always: { kind: 'truncated' }, args: ['--max-retries', '1'], stops: /in a row.*JSON/ },
  { name: 'logprob +1 forever', always: { kind: 'logprob', json: '1' }, stops: /invalid-logprobs/ },
  { name: 'logprob -1e999 forever', always: { kind: 'logprob', json: '-1e999' }, stops: /invalid-logprobs/ },
];

describe('fault-injection suite: transient faults give the clean numbers, permanent ones stop loud, a rerun loses nothing, no secret written', () => {
  for (const sc of SUITE) {
    it(sc.name, async () => {
      tally.scenarios++;
      const s = await standIn(CREDENTIALS);
      // Permanent faults start after 8 good answers: enough samples left for 8 failures in a row.
      const n = sc.stops ? 24 : 12;
      const ds = dataset(n);
      for (const [f, count] of sc.faults ?? []) s.inject(f, count);
      s.failAll = sc.always;
      const args = ['calibrate', ds, '--endpoint', credURL(s.url), ...common(s, ds), ...(sc.args ?? [])];
      const first = await itool(args);
      const runs = [first];
      if (!sc.stops) {
        tally.transient++;
        assert.equal(first.code, 0, first.err);
        assertReference(ds, n);
      } else {
        tally.permanent++;
        assert.notEqual(first.code, 0, first.out);
        assert.match(first.err, sc.stops);
        assert.ok(first.ms < 30_000, `${first.ms} ms`);
        assert.ok(!existsSync(join(ds, '..', 'selection.json')), 'no selection from a failed run');
        const kept = results(ds).size;
        s.clearFaults();
        s.failAll = undefined;
        const again = await itool(args);
        runs.push(again);
        assert.equal(again.code, 0, again.err);
        if (kept) assert.match(again.out, new RegExp(`\\(${kept} resumed\\)`));
        assertReference(ds, n);
      }
      assertNoSecrets(ds, runs);
      tally.suiteRuns += runs.length;
      tally.suiteFaults += s.faultsServed;
    });
  }
});
