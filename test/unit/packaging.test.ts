// The platform VSIXs: one run of `scripts/package.mjs --all` (about 15 s for five packages), each
// package then opened as a zip with yauzl, the library VS Code's own installer reads VSIXs with:
// - each carries its own platform's onnxruntime binding and libraries, and no other platform's;
// - a manifest fit for a marketplace: target platform, icon, no placeholder links, no `bin`, the
//   marketplace README (not the developers'), the license;
// - this machine's package, unpacked, runs a real onnxruntime session as an installed extension would;
// - a target onnxruntime-node publishes nothing for is refused in a sentence, before any package.
// --no-build: npm test has just built dist/, and other test files run dist/cli.js meanwhile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import yauzl from 'yauzl';
import { carriedTargets, ORT_PUBLISHED_TARGETS } from '../../src/core/model/onnx/runtime';
import { writeTinyModel } from '../../src/core/model/testModels';

const ROOT = resolve(__dirname, '..', '..');
const HOST = `${process.platform}-${process.arch}`;

/** What each target's VSIX must carry under extension/dist/node_modules/onnxruntime-node/bin/napi-v6/<platform>/<arch>/. */
const NATIVE: Record<string, string[]> = {
  'linux-x64': ['libonnxruntime.so.1', 'onnxruntime_binding.node'],
  'linux-arm64': ['libonnxruntime.so.1', 'onnxruntime_binding.node'],
  // libonnxruntime.1.30.0.dylib, a byte-identical copy nothing loads, is left out (scripts/package.mjs).
  'darwin-arm64': ['libonnxruntime.1.dylib', 'onnxruntime_binding.node'],
  'win32-x64': ['DirectML.dll', 'dxcompiler.dll', 'dxil.dll', 'onnxruntime.dll', 'onnxruntime_binding.node'],
  'win32-arm64': ['DirectML.dll', 'dxcompiler.dll', 'dxil.dll', 'onnxruntime.dll', 'onnxruntime_binding.node'],
};
const NATIVE_FILE = /\.(node|so(\.\d+)*|dylib|dll)$/i;

interface Summary {
  version: string;
  onnxruntimeNode: string;
  notPackaged: Record<string, string>;
  packages: { target: string; file: string; bytes: number; files: number; native: string[]; warnings: string[] }[];
}

/** Entry names of a zip, and the bytes of those `want` picks. */
function readZip(file: string, want: (name: string) => boolean = () => false): Promise<{ names: string[]; data: Map<string, Buffer> }> {
  return new Promise((res, rej) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return rej(err);
      const names: string[] = [];
      const data = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        if (!want(e.fileName)) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return rej(err2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            data.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => res({ names, data }));
      zip.on('error', rej);
      zip.readEntry();
    });
  });
}

const out = mkdtempSync(join(tmpdir(), 'itool-vsix-'));
after(() => rmSync(out, { recursive: true, force: true }));
let summary: Summary;
let log = '';

before(() => {
  const built = existsSync(join(ROOT, 'dist', 'extension.js'));
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--all', '--out', out, ...(built ? ['--no-build'] : [])], { cwd: ROOT, encoding: 'utf8' });
  log = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, log);
  summary = JSON.parse(readFileSync(join(out, 'packages.json'), 'utf8'));
  for (const p of summary.packages) console.log(`packaging: ${p.target}: ${(p.bytes / 1e6).toFixed(1)} MB, ${p.files} files, native ${p.native.map((n) => n.split('/').pop()).join(' ')}`);
});

describe('platform VSIXs', () => {
  it('one package per platform onnxruntime-node publishes, as the installed package carries them, and no vsce warning', () => {
    const targets = summary.packages.map((p) => p.target);
    assert.deepEqual(targets, Object.keys(NATIVE));
    assert.deepEqual([...targets].sort(), carriedTargets(join(ROOT, 'node_modules', 'onnxruntime-node')).sort());
    assert.deepEqual([...targets].sort(), [...ORT_PUBLISHED_TARGETS].sort(), 'runtime.ts names the same platforms in its messages');
    assert.deepEqual(summary.packages.flatMap((p) => p.warnings), [], 'vsce printed warnings');
    assert.doesNotMatch(log, /WARNING/);
  });

  for (const target of Object.keys(NATIVE)) {
    it(`${target}: its own onnxruntime binding and libraries only, and a manifest for that platform`, async () => {
      const p = summary.packages.find((x) => x.target === target)!;
      const file = join(out, p.file);
      const { names, data } = await readZip(file, (n) => ['extension/package.json', 'extension.vsixmanifest', 'extension/readme.md', 'extension/media/icon.png'].includes(n));
      const [platform, arch] = target.split('-');
      const dir = `extension/dist/node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/`;
      const native = names.filter((n) => NATIVE_FILE.test(n)).sort();
      assert.deepEqual(native, NATIVE[target].map((f) => dir + f).sort());
      assert.equal(names.length, p.files);

      const xml = data.get('extension.vsixmanifest')!.toString('utf8');
      assert.match(xml, new RegExp(`TargetPlatform="${target}"`));
      assert.match(xml, /Microsoft\.VisualStudio\.Services\.Icons\.Default" Path="extension\/media\/icon\.png"/);
      assert.match(xml, /Microsoft\.VisualStudio\.Services\.Content\.License" Path="extension\/LICENSE\.txt"/);
      assert.ok(names.includes('extension/LICENSE.txt'));

      const pkg = JSON.parse(data.get('extension/package.json')!.toString('utf8'));
      for (const k of ['bin', 'scripts', 'devDependencies']) assert.equal(pkg[k], undefined, `no ${k} in the packaged manifest`);
      assert.equal(pkg.preview, true);
      assert.ok(pkg.keywords.length >= 5 && pkg.keywords.length <= 30, 'keywords (the marketplace takes up to 30)');
      const text = data.get('extension/package.json')!.toString('utf8') + xml;
      assert.doesNotMatch(text, /example\.invalid|example\.com/, 'no placeholder links');
      for (const k of ['repository', 'bugs', 'homepage']) {
        const v = pkg[k];
        if (v !== undefined) assert.match(typeof v === 'string' ? v : v.url, /^https:\/\/(github\.com|gitlab\.com)\//, `${k}: a real link or none`);
      }

      // The icon: a PNG of at least 128×128 (the marketplace's minimum), square.
      const icon = data.get('extension/media/icon.png')!;
      assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const [w, h] = [icon.readUInt32BE(16), icon.readUInt32BE(20)];
      assert.ok(w === h && w >= 128, `icon ${w}×${h}`);

      // The marketplace README, not the developers' (which starts with npm start / npm test).
      const readme = data.get('extension/readme.md')!.toString('utf8');
      assert.equal(readme, readFileSync(join(ROOT, 'docs', 'MARKETPLACE.md'), 'utf8'));
      assert.doesNotMatch(readme, /npm (start|test)/);
    });
  }

  it("the developers' README keeps npm start and npm test at its top", () => {
    const top = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').slice(0, 40).join('\n');
    assert.match(top, /^npm start\b/m);
    assert.match(top, /^npm test\b/m);
  });

  it(`this machine's package (${HOST}), unpacked, loads its onnxruntime and runs a model`, { skip: !NATIVE[HOST] && `no package for ${HOST}` }, async () => {
    const p = summary.packages.find((x) => x.target === HOST)!;
    const { data } = await readZip(join(out, p.file), (n) => n.startsWith('extension/dist/node_modules/'));
    const unpacked = join(out, 'unpacked');
    for (const [name, bytes] of data) {
      mkdirSync(dirname(join(unpacked, name)), { recursive: true });
      writeFileSync(join(unpacked, name), bytes);
    }
    const model = (await writeTinyModel(join(out, 'model'), { layers: 1, hidden: 16, heads: 2, withKvCache: false, seed: 2 })).dir;
    const script = `
      const ort = require(${JSON.stringify(join(unpacked, 'extension', 'dist', 'node_modules', 'onnxruntime-node'))});
      (async () => {
        const s = await ort.InferenceSession.create(${JSON.stringify(join(model, 'onnx', 'model.onnx'))});
        const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n]), [1, 3]);
        const feeds = { input_ids: ids, attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n]), [1, 3]) };
        if (s.inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n]), [1, 3]);
        const r = await s.run(feeds);
        console.log(JSON.stringify(r.logits.dims));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    // Telemetry off for this child too: it loads onnxruntime directly, not through runtime.ts.
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [1, 3, 320]);
  });

  it('a target onnxruntime-node publishes nothing for is refused in a sentence, before anything is packaged', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--target', 'darwin-x64', '--no-build', '--out', join(out, 'refused')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `[package] darwin-x64: not packaged: ${summary.notPackaged['darwin-x64']}.\n`);
    assert.match(r.stderr, /no macOS x64 \(Intel\) binaries/);
    assert.equal(existsSync(join(out, 'refused')), false);
  });
});
