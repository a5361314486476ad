// The settings contract (issue 17, "one settings module"): the `itool.*` settings package.json
// contributes are the settings the extension reads, each through src/extension/settings.ts, with
// the type the manifest declares; defaults live in the manifest only (no `get(key, fallback)`
// anywhere, no other `getConfiguration`), and the closed loop's settings default to LOOP_DEFAULTS.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { LOOP_DEFAULTS } from '../../src/core/rounds/loopOptions';
import { SETTINGS, fitsSetting, type SettingKey } from '../../src/extension/settingsTable';

const ROOT = resolve(__dirname, '..', '..');
interface Contributed {
  type: string | string[];
  default?: unknown;
  enum?: string[];
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Contributed> }[] } };
const contributed: Record<string, Contributed> = Object.assign({}, ...pkg.contributes.configuration.map((g) => g.properties));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
const files = sources(join(ROOT, 'src')).map((f) => ({ path: relative(ROOT, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));
const MODULE = 'src/extension/settings.ts';

/** Every key read through the module: `setting('itool.…')`, `settingText('itool.…')` (a getter passed on is named `setting` too). */
function keysRead(): Map<string, string[]> {
  const read = new Map<string, string[]>();
  for (const f of files) {
    if (f.path === MODULE) continue;
    for (const m of f.text.matchAll(/\bsetting(?:Text)?\('(itool\.[\w.]+)'\)/g)) read.set(m[1], [...(read.get(m[1]) ?? []), f.path]);
  }
  return read;
}

describe('settings contract', () => {
  it('the module knows exactly the contributed settings, with the manifest type and enum', () => {
    assert.deepEqual(Object.keys(SETTINGS).sort(), Object.keys(contributed).sort());
    for (const [key, spec] of Object.entries(SETTINGS)) {
      const c = contributed[key];
      assert.deepEqual(spec.type, c.type, `${key}: type`);
      assert.deepEqual((spec as { enum?: readonly string[] }).enum, c.enum, `${key}: enum`);
    }
  });

  it('every contributed default has its declared type (a default that did not would read as itself unchecked)', () => {
    for (const [key, c] of Object.entries(contributed)) {
      assert.ok('default' in c, `${key} has a default in package.json`);
      assert.ok(fitsSetting(key as SettingKey, c.default), `${key}: default ${JSON.stringify(c.default)} is a ${JSON.stringify(c.type)}`);
    }
  });

  it('a value of another type, or outside the enum, does not fit (it reads as the contributed default)', () => {
    assert.equal(fitsSetting('itool.search.temperature', '1.5'), false);
    assert.equal(fitsSetting('itool.search.iterations', 2.5), false);
    assert.equal(fitsSetting('itool.policy.backend', 'ollama'), false);
    assert.equal(fitsSetting('itool.calibration.tierThresholds', [1, 2]), false);
    assert.equal(fitsSetting('itool.trainer.llamafactory.nnodes', null), true);
    assert.equal(fitsSetting('itool.calibration.tierThresholds', { easyBelow: 2 }), true);
  });

  it('every contributed setting is read somewhere through the module, and every key read is contributed', () => {
    const read = keysRead();
    assert.deepEqual(Object.keys(contributed).filter((k) => !read.has(k)), [], 'contributed but never read');
    assert.deepEqual([...read.keys()].filter((k) => !(k in contributed)), [], 'read but not contributed');
  });

  it('only the module reaches VS Code configuration, and nothing reads a setting with a fallback of its own', () => {
    for (const f of files) {
      if (f.path === MODULE) continue;
      assert.doesNotMatch(f.text, /getConfiguration\(/, `${f.path} reads settings itself; use settings.ts`);
    }
    // The module itself names no default: VS Code's contributed one, else the manifest's.
    const module = files.find((f) => f.path === MODULE)!.text;
    assert.doesNotMatch(module, /\.get<[^>]*>\([^)]*,/, 'no get(key, fallback) in settings.ts');
  });

  it("the closed loop's settings default to LOOP_DEFAULTS (the palette and itool loop run alike)", () => {
    const d = LOOP_DEFAULTS;
    assert.equal(contributed['itool.loop.exploreMax'].default, d.exploreMax);
    assert.equal(contributed['itool.loop.evalLimit'].default, 0, '0: every held-out sample, as LOOP_DEFAULTS (no limit)');
    assert.equal(d.evalLimit, undefined);
    assert.equal(contributed['itool.loop.iterations'].default, d.search.iterations);
    assert.equal(contributed['itool.loop.numActions'].default, d.search.numActions);
    assert.equal(contributed['itool.loop.maxNewTokens'].default, d.search.maxNewTokens);
    assert.equal(contributed['itool.loop.temperature'].default, d.search.temperature);
  });
});
