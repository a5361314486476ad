// What the extension's manifest promises about trust: a cloned repository (workspace settings)
// cannot choose which trainer program runs or where training data is sent, and starting a round
// is not offered in an untrusted workspace. Plus: every contributed command is registered, and
// every registered command is contributed (a palette entry that does nothing is a bug users see).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; enablement?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { scope?: string }> };
  };
};
const props = pkg.contributes.configuration.properties;

describe('manifest', () => {
  it('trainer programs, paths and endpoints are machine settings a workspace cannot set', () => {
    const programOrPlace = Object.keys(props).filter((k) => /^itool\.trainer\.(llamafactory|trl|openai|local)\.|^itool\.trainer\.baseModel$/.test(k));
    assert.ok(programOrPlace.includes('itool.trainer.llamafactory.command'));
    assert.ok(programOrPlace.includes('itool.trainer.trl.accelerateCommand'));
    assert.ok(programOrPlace.includes('itool.trainer.openai.baseURL'));
    assert.ok(programOrPlace.includes('itool.trainer.local.python'));
    for (const k of programOrPlace) assert.equal(props[k].scope, 'machine', `${k} must be machine-scoped`);
  });

  it('starting a round or the loop (both run a trainer), or evaluating a round (it loads the model a workspace file names), is only offered, and only enabled, in a trusted workspace', () => {
    for (const id of ['itool.startRound', 'itool.runLoop', 'itool.evaluateRound']) {
      const cmd = pkg.contributes.commands.find((c) => c.command === id);
      assert.equal(cmd?.enablement, 'isWorkspaceTrusted', id);
      assert.equal(pkg.contributes.menus.commandPalette.find((m) => m.command === id)?.when, 'isWorkspaceTrusted', id);
    }
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    // The policy settings (where dataset text is sent) stay restricted too.
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations?.includes('itool.policy.endpoint.baseURL'));
  });

  it('every contributed command is registered and every registered command contributed', () => {
    const source = readFileSync(join(ROOT, 'src', 'extension', 'commands.ts'), 'utf8');
    const registered = new Set([...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]));
    const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
    assert.deepEqual([...contributed].filter((c) => !registered.has(c)), [], 'contributed but never registered');
    assert.deepEqual([...registered].filter((c) => !contributed.has(c)), [], 'registered but not in the manifest');
  });

  it('activates at startup so a training job running before a reload is re-attached', () => {
    assert.ok(pkg.activationEvents.includes('onStartupFinished'));
  });
});

describe('commands that load a model or run a program check workspace trust when they run', () => {
  // Enablement hides a command from the palette and keybindings, not from executeCommand: each
  // command whose model or program a workspace file can name refuses in its own code too.
  for (const [file, fn] of [
    ['src/extension/evaluateCommand.ts', 'evaluateRoundCommand'],
    ['src/extension/loopCommand.ts', 'runLoopCommand'],
  ] as const) {
    it(`${fn} refuses in an untrusted workspace before it reads anything`, () => {
      const src = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      const body = src.slice(src.indexOf(`export async function ${fn}(`));
      const firstStatement = body.slice(body.indexOf('{') + 1).replace(/^\s*(\/\/.*\n\s*)*/, '');
      assert.match(firstStatement, /^if \(!vscode\.workspace\.isTrusted\) \{/, `${fn} checks trust first`);
    });
  }
});
