// One way to a policy (issue 17): the CLI, the extension, the loop and held-out evaluation describe
// the model as a PolicySpec and open it through src/core/model/policyFactory.ts, so the runtime
// settings (execution provider, in-flight limit) reach every policy a run opens, the evaluated
// ones included.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { policySpecFromArgs } from '../../src/cli/calibrate';
import type { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import { describePolicy, openPolicy } from '../../src/core/model/policyFactory';
import { writeTinyModel } from '../../src/core/model/testModels';
import { configuredPolicySpec, endpointSpec, onnxSpec } from '../../src/extension/policySpec';
import type { SettingGetter, SettingKey } from '../../src/extension/settingsTable';

const ROOT = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> }[] } };
const defaults: Record<string, unknown> = Object.fromEntries(pkg.contributes.configuration.flatMap((g) => Object.entries(g.properties).map(([k, p]) => [k, p.default])));
const settings = (user: Partial<Record<SettingKey, unknown>> = {}): SettingGetter => ((key: SettingKey) => (key in user ? user[key] : defaults[key])) as SettingGetter;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('policy factory', () => {
  let root: string;
  before(() => void (root = mkdtempSync(join(tmpdir(), 'itool-factory-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is the only place in src/ that constructs a policy', () => {
    const sites = sources(join(ROOT, 'src'))
      .filter((f) => /OnnxPolicy\.open\(|new RemotePolicy\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f).split('\\').join('/'));
    assert.deepEqual(sites, ['src/core/model/policyFactory.ts']);
  });

  it("the extension's specs carry the settings' execution provider and in-flight limit, the evaluated policy's too", () => {
    const s = settings({ 'itool.policy.onnx.executionProvider': 'cuda', 'itool.policy.maxInFlight': 3, 'itool.policy.endpoint.chatTemplate': ' /t.jinja ' });
    assert.deepEqual(onnxSpec(s, '/round-1/model'), { backend: 'onnx', modelDir: '/round-1/model', executionProvider: 'cuda' });
    assert.deepEqual(endpointSpec(s, 'http://h/v1', 'round-1', undefined), { backend: 'endpoint', baseURL: 'http://h/v1', model: 'round-1', chatTemplate: undefined, maxInFlight: 3 });
    assert.deepEqual(configuredPolicySpec(settings({ 'itool.policy.onnx.executionProvider': 'cuda', 'itool.policy.onnx.modelDir': ' /m ' })), { backend: 'onnx', modelDir: '/m', executionProvider: 'cuda' });
    const endpoint = { 'itool.policy.backend': 'endpoint', 'itool.policy.endpoint.baseURL': 'http://h/v1', 'itool.policy.endpoint.model': 'q', 'itool.policy.maxInFlight': 3, 'itool.policy.endpoint.chatTemplate': ' /t.jinja ' };
    assert.deepEqual(configuredPolicySpec(settings(endpoint)), { backend: 'endpoint', baseURL: 'http://h/v1', model: 'q', chatTemplate: '/t.jinja', maxInFlight: 3 });
    assert.equal(configuredPolicySpec(settings()), undefined, 'nothing set: the first-run pick');
    assert.equal(configuredPolicySpec(settings({ ...endpoint, 'itool.policy.endpoint.model': '' })), undefined);
  });

  it("the CLI's flags become the same kind of spec", () => {
    assert.deepEqual(policySpecFromArgs({ model: '/m', executionProvider: 'cuda' }), { backend: 'onnx', modelDir: '/m', executionProvider: 'cuda' });
    assert.deepEqual(policySpecFromArgs({ endpoint: 'http://h/v1', servedModel: 'q', chatTemplate: '/t.json', timeout: 2, maxRetries: 0 }), {
      backend: 'endpoint',
      baseURL: 'http://h/v1',
      model: 'q',
      chatTemplate: '/t.json',
      timeoutMs: 2000,
      maxRetries: 0,
    });
    assert.throws(() => policySpecFromArgs({ model: '/m', endpoint: 'http://h/v1' }), /exactly one of/);
  });

  it('opens what the spec says: the in-flight limit reaches the endpoint policy', async () => {
    await assert.rejects(openPolicy({ backend: 'endpoint', baseURL: 'http://127.0.0.1:9/v1', model: 'm', maxInFlight: 0 }), /maxInFlight must be a positive integer, not 0/);
    const p = await openPolicy({ backend: 'endpoint', baseURL: 'http://127.0.0.1:9/v1', model: 'm', maxInFlight: 2 }, { apiKey: 'k' });
    assert.equal(p.id, 'endpoint:http://127.0.0.1:9/v1#m');
    await p.close();
  });

  it('opens what the spec says: the execution provider reaches the ONNX policy', async () => {
    const model = await writeTinyModel(join(root, 'tiny'), { layers: 1, hidden: 16, heads: 2, withKvCache: true, seed: 1 });
    const p = (await openPolicy({ backend: 'onnx', modelDir: model.dir, executionProvider: 'cuda' })) as OnnxPolicy;
    try {
      // CUDA where onnxruntime has it; else the CPU, and a warning that CUDA was asked for.
      assert.ok(p.executionProvider === 'cuda' || /^CUDA execution provider/.test(p.warning ?? ''), `${p.executionProvider}: ${p.warning}`);
    } finally {
      await p.close();
    }
    const cpu = await openPolicy({ backend: 'onnx', modelDir: model.dir });
    try {
      assert.match(cpu.label, /\(ONNX, cpu\)$/);
      assert.equal(cpu.warning, undefined);
    } finally {
      await cpu.close();
    }
  });

  it('names a policy without the credentials of its URL', () => {
    assert.equal(describePolicy({ backend: 'onnx', modelDir: '/m' }), '/m');
    assert.doesNotMatch(describePolicy({ backend: 'endpoint', baseURL: 'http://user:secret@h:8000/v1', model: 'q' }), /secret/);
  });
});
