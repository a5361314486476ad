// Loading onnxruntime (src/core/model/onnx/runtime.ts):
// - where this build has no onnxruntime for the machine, or the loader refuses it, the user reads
//   one sentence (what is missing, what to do), never "Cannot find module … Require stack"; checked
//   on the built CLI with another platform's binding staged beside it, as a wrong VSIX would have;
// - onnxruntime's telemetry: with a fresh home folder, a real session through OnnxPolicy (the path
//   of the CLI and the extension) leaves no telemetry files and makes no upload attempt, while the
//   same run with telemetry allowed (what the extension does at VS Code level "all") does both —
//   so the check would see telemetry if it were there.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { carriedTargets, missingRuntime, ORT_PUBLISHED_TARGETS, ORT_TELEMETRY_ENV } from '../../src/core/model/onnx/runtime';
import { writeTinyModel } from '../../src/core/model/testModels';
import { ensureBuiltCli } from '../support/builtCli';

const ROOT = resolve(__dirname, '..', '..');
const ORT = join(ROOT, 'node_modules', 'onnxruntime-node');
const HOST = `${process.platform}-${process.arch}`;
const TINY = { layers: 1, hidden: 16, heads: 2, withKvCache: false, seed: 3 };
const root = mkdtempSync(join(tmpdir(), 'itool-ort-'));
let model: string;

before(async () => {
  model = (await writeTinyModel(join(root, 'model'), TINY)).dir;
});
after(() => rmSync(root, { recursive: true, force: true }));

/** An onnxruntime-node package folder carrying a binding file for each of `targets` (empty files: only their presence is read). */
function fakePackage(dir: string, targets: string[]): string {
  for (const t of targets) {
    const [platform, arch] = t.split('-');
    mkdirSync(join(dir, 'bin', 'napi-v6', platform, arch), { recursive: true });
    writeFileSync(join(dir, 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node'), '');
  }
  return dir;
}

const noStack = (text: string) => {
  assert.doesNotMatch(text, /Require stack|Cannot find module|\n\s+at /, 'no loader error or stack trace');
};

describe('a build without onnxruntime for this machine says so in one sentence', () => {
  it('names the five platforms onnxruntime-node 1.30 publishes, as the installed package carries them', () => {
    assert.deepEqual([...ORT_PUBLISHED_TARGETS].sort(), carriedTargets(ORT).sort());
  });

  it('a platform onnxruntime-node publishes nothing for (an Intel Mac): no VSIX would help, an endpoint does', () => {
    const why = missingRuntime('darwin', 'x64', ORT)!;
    assert.match(why, /^onnxruntime for darwin-x64 is not in this build of iTool Studio \(it carries [^)]*\), and onnxruntime-node publishes no binaries for darwin-x64 \(only linux-x64, linux-arm64, darwin-arm64, win32-x64, win32-arm64\); use an endpoint policy/);
    noStack(why);
  });

  it("another platform's VSIX (it carries win32-x64 only): install the one for your platform, or use an endpoint", () => {
    const pkg = fakePackage(join(root, 'win-only'), ['win32-x64']);
    assert.equal(
      missingRuntime('linux', 'x64', pkg),
      'onnxruntime for linux-x64 is not in this build of iTool Studio (it carries win32-x64); install the VSIX for your platform (linux-x64), or use an endpoint policy (an OpenAI-compatible server)',
    );
    assert.equal(missingRuntime('win32', 'x64', pkg), undefined);
    assert.match(missingRuntime('linux', 'x64', undefined)!, /^onnxruntime is not in this build of iTool Studio \(no onnxruntime-node package beside it\)/);
  });

  describe('the built CLI, with a wrong or broken binding staged beside it', () => {
    let dist: string;
    before(() => {
      ensureBuiltCli();
      // dist/ as a VSIX lays it out: the bundles, and onnxruntime-node + onnxruntime-common beside them.
      dist = join(root, 'dist');
      for (const f of readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.js'))) cpSync(join(ROOT, 'dist', f), join(dist, f));
      const mods = join(dist, 'node_modules');
      for (const part of ['onnxruntime-node/package.json', 'onnxruntime-node/dist', 'onnxruntime-common']) cpSync(join(ROOT, 'node_modules', part), join(mods, part), { recursive: true });
    });

    const calibrate = () =>
      spawnSync(process.execPath, [join(dist, 'cli.js'), 'calibrate', join(ROOT, 'demo', 'datasets', 'hermes_sample.jsonl'), '--model', model, '-o', join(root, 'sel.json')], {
        encoding: 'utf8',
        env: { ...process.env, [ORT_TELEMETRY_ENV]: '1' },
      });
    const bin = () => join(dist, 'node_modules', 'onnxruntime-node', 'bin');

    it("another platform's binding only: `itool calibrate --model` exits 1 with the sentence, nothing else", () => {
      const other = ORT_PUBLISHED_TARGETS.find((t) => t !== HOST)!;
      rmSync(bin(), { recursive: true, force: true });
      fakePackage(join(dist, 'node_modules', 'onnxruntime-node'), [other]);
      const r = calibrate();
      assert.equal(r.status, 1, r.stderr);
      const expected = (ORT_PUBLISHED_TARGETS as readonly string[]).includes(HOST)
        ? `itool: onnxruntime for ${HOST} is not in this build of iTool Studio (it carries ${other}); install the VSIX for your platform (${HOST}), or use an endpoint policy (an OpenAI-compatible server)\n`
        : `itool: ${missingRuntime(process.platform, process.arch, join(dist, 'node_modules', 'onnxruntime-node'))}\n`;
      assert.equal(r.stderr, expected);
    });

    it('a binding the loader refuses (a corrupt file): exits 1 with one line naming the loader\'s reason', () => {
      rmSync(bin(), { recursive: true, force: true });
      fakePackage(join(dist, 'node_modules', 'onnxruntime-node'), [HOST]);
      const r = calibrate();
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^itool: onnxruntime for ${HOST} could not be loaded \\(.+\\); use an endpoint policy \\(an OpenAI-compatible server\\)\\n$`));
      noStack(r.stderr);
    });
  });
});

/** A stand-in HTTPS proxy: records each request line (CONNECT host:443) and refuses it, so nothing leaves the machine. */
async function proxy(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((c) => {
    c.once('data', (d) => {
      seen.push(String(d).split('\r\n')[0]);
      c.destroy();
    });
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
}

/**
 * A child running a real session with a fresh home folder. onnxruntime also stays quiet on its own
 * when it sees a CI system (CI, GITHUB_ACTIONS, TF_BUILD, … are in its binary) or its own unit
 * tests: those are removed, or `npm test` under CI=true would pass whatever the product did.
 */
function runChild(mode: 'default' | 'allowed', home: string, proxyUrl: string, holdMs: number): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['CI', 'GITHUB_ACTIONS', 'TF_BUILD', 'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI', 'TRAVIS', 'CIRCLECI', 'GITLAB_CI', 'JENKINS_URL', 'ORT_RUNNING_UNIT_TESTS', ORT_TELEMETRY_ENV, 'XDG_CACHE_HOME', 'NO_PROXY', 'no_proxy']) delete env[k];
  Object.assign(env, { HOME: home, USERPROFILE: home, HOLD_MS: String(holdMs) });
  // onnxruntime's uploader (libcurl) honours the proxy variables: uploads reach the stand-in, never Microsoft.
  for (const k of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']) env[k] = proxyUrl;
  return new Promise((res) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'onnxSessionChild.ts'), mode, model], { cwd: ROOT, env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => res({ code, out, err }));
  });
}

describe('onnxruntime telemetry', { skip: process.platform === 'win32' && "Windows: onnxruntime's telemetry there is ETW, under the OS's diagnostic-data consent; it writes no files to check" }, () => {
  it('a real session with a fresh home folder leaves no telemetry files and attempts no upload; allowed, it does both', async () => {
    const hold = 15_000;
    const off = { home: join(root, 'home-off'), proxy: await proxy() };
    const on = { home: join(root, 'home-on'), proxy: await proxy() };
    mkdirSync(off.home);
    mkdirSync(on.home);
    try {
      // Both at once: the hold (past onnxruntime's ~10 s upload timer) is the test's cost.
      const [a, b] = await Promise.all([runChild('default', off.home, off.proxy.url, hold), runChild('allowed', on.home, on.proxy.url, hold)]);
      assert.equal(a.code, 0, a.err);
      assert.equal(b.code, 0, b.err);
      const ran = JSON.parse(a.out);
      assert.ok(ran.tokens > 0, 'the session scored tokens');
      assert.equal(ran.env, '1', `${ORT_TELEMETRY_ENV} was set before onnxruntime started`);

      const offFiles = filesUnder(off.home);
      const onFiles = filesUnder(on.home);
      console.log(`telemetry: off → ${offFiles.length} files in the fresh home, ${off.proxy.seen.length} upload attempts; allowed → ${onFiles.join(', ')}; ${on.proxy.seen.join(', ')}`);
      // The control: allowed, this onnxruntime does write and upload (else the check below proves nothing).
      assert.ok(onFiles.some((f) => /onnxruntime/i.test(f)), `allowed: telemetry files expected in the fresh home, found ${JSON.stringify(onFiles)}`);
      assert.ok(on.proxy.seen.some((l) => /events\.data\.microsoft\.com/.test(l)), `allowed: an upload attempt expected within ${hold} ms, saw ${JSON.stringify(on.proxy.seen)}`);

      assert.deepEqual(offFiles.filter((f) => /onnxruntime|Microsoft/i.test(f)), [], 'no onnxruntime telemetry files');
      assert.deepEqual(off.proxy.seen, [], 'no upload attempt');
    } finally {
      off.proxy.server.close();
      on.proxy.server.close();
    }
  });
});
