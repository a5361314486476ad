// What the extension's manifest promises about trust: a cloned repository (workspace settings)
// cannot choose which trainer program runs or where training data is sent, and starting a round
// is not offered in an untrusted workspace. Plus: every contributed command is registered, and
// every registered command is contributed (a palette entry that does nothing is a bug users see);
// the settings are grouped, ordered, described in Markdown, typed as integers where they are whole
// numbers, with platform-neutral defaults; the palette offers the dataset commands only while a
// dataset panel is active (a context key the extension sets); title-bar commands have icons;
// keybindings are scoped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');
interface Setting {
  type?: string | string[];
  default?: unknown;
  scope?: string;
  order?: number;
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
}
interface Command {
  command: string;
  title: string;
  icon?: string;
  enablement?: string;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: {
    commands: Command[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    configuration: { title: string; order?: number; properties: Record<string, Setting> }[];
  };
};
const groups = pkg.contributes.configuration;
const props: Record<string, Setting> = Object.assign({}, ...groups.map((g) => g.properties));
const palette = pkg.contributes.menus.commandPalette;
const whenOf = (id: string) => palette.find((m) => m.command === id)?.when ?? '';

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
      assert.match(whenOf(id), /(^|&& )isWorkspaceTrusted( &&|$)/, `${id} in the palette only when trusted`);
      for (const m of pkg.contributes.menus['editor/title'].filter((x) => x.command === id)) assert.match(m.when ?? '', /isWorkspaceTrusted/, `${id} in the title menu only when trusted`);
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

  it('every setting is grouped, ordered and described in Markdown', () => {
    assert.ok(groups.length >= 4, 'settings come in groups (Policy model, Calibration, Search, …), not one flat list');
    const titles = groups.map((g) => g.title);
    assert.equal(new Set(titles).size, titles.length, 'group titles are distinct');
    assert.deepEqual(groups.map((g) => g.order), groups.map((_, i) => i + 1), 'groups are ordered as listed');
    for (const g of groups) {
      const orders = Object.values(g.properties).map((p) => p.order);
      assert.deepEqual(orders, orders.map((_, i) => i + 1), `settings of "${g.title}" are ordered as listed`);
    }
    for (const [k, p] of Object.entries(props)) {
      assert.ok(k.startsWith('itool.'), k);
      assert.ok(p.markdownDescription && p.markdownDescription.length > 10, `${k} has a markdownDescription`);
      assert.equal(p.description, undefined, `${k}: markdownDescription only (the Settings editor shows one)`);
      if (p.enum) assert.equal((p.enumDescriptions ?? p.markdownEnumDescriptions)?.length, p.enum.length, `${k}: every enum value is described`);
      // A setting link in Markdown (#id#) must name a real setting, or it renders as plain text.
      for (const m of p.markdownDescription.matchAll(/`#([\w.]+)#`/g)) assert.ok(m[1] in props, `${k} links to ${m[1]}, which exists`);
      for (const m of p.markdownDescription.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(pkg.contributes.commands.some((c) => c.command === m[1]), `${k} links to command ${m[1]}, which exists`);
    }
  });

  it('whole-number settings are integers; defaults are platform-neutral and "unset" is empty', () => {
    const wholeNumbers = [
      'itool.policy.maxInFlight',
      'itool.calibration.round',
      'itool.calibration.batch',
      'itool.search.numActions',
      'itool.search.maxNewTokens',
      'itool.search.depth',
      'itool.search.iterations',
      'itool.search.maxSimulationSteps',
      'itool.search.seed',
      'itool.search.concurrency',
      'itool.trainer.llamafactory.nnodes',
      'itool.trainer.llamafactory.nodeRank',
      'itool.trainer.llamafactory.nprocPerNode',
      'itool.trainer.llamafactory.masterPort',
      'itool.trainer.trl.numProcesses',
      'itool.loop.exploreMax',
      'itool.loop.evalLimit',
      'itool.loop.iterations',
      'itool.loop.numActions',
      'itool.loop.maxNewTokens',
    ];
    for (const k of wholeNumbers) {
      const types = [props[k]?.type].flat();
      assert.ok(types.includes('integer') && !types.includes('number'), `${k} is an integer setting, not ${JSON.stringify(props[k]?.type)}`);
    }
    // Every other numeric setting takes fractions on purpose.
    const fractional = Object.keys(props).filter((k) => [props[k].type].flat().includes('number'));
    assert.deepEqual(fractional.sort(), ['itool.calibration.ratio', 'itool.loop.temperature', 'itool.search.explorationWeight', 'itool.search.temperature']);
    for (const [k, p] of Object.entries(props)) {
      if (typeof p.default === 'string') assert.doesNotMatch(p.default, /^\/|^[A-Za-z]:\\|\\/, `${k}: no default path of one platform`);
    }
    assert.equal(props['itool.trainer.local.python'].default, '', 'the Python default is the one on PATH, not /usr/bin/python3');
    // "" means "not set": the export guesses the LLaMA-Factory template from the base model and warns when it cannot.
    assert.equal(props['itool.trainer.template'].default, '');
    assert.doesNotMatch(props['itool.policy.onnx.executionProvider'].markdownDescription ?? '', /^[^(]*npm rebuild/, 'no npm rebuild advice to users of the packaged extension (only for a source checkout)');
  });

  it('the palette offers the dataset commands whether or not a dataset panel is open (they ask which dataset), and no panel-only key is left', () => {
    const datasetCommands = [
      'itool.loadPredictions',
      'itool.calibrateDataset',
      'itool.selectDeficient',
      'itool.exploreDeficient',
      'itool.generateOutputs',
      'itool.reviewPairs',
      'itool.exportPairs',
      'itool.exportCurriculum',
      'itool.cancelTraining',
      'itool.startRound',
      'itool.evaluateRound',
    ];
    // A dataset's state lives in its session (src/core/session), so no command needs its panel open.
    for (const id of datasetCommands) assert.doesNotMatch(whenOf(id), /datasetPanelActive/, `${id} works on a dataset whose panel is closed`);
    const sessions = readFileSync(join(ROOT, 'src', 'extension', 'sessions.ts'), 'utf8');
    assert.match(sessions, /Dataset to \$\{action\}/, 'the picker names the action it picks a dataset for');
    // Marking a fragment from the palette works on a text selection in a dataset or predictions file.
    assert.match(whenOf('itool.markFragmentError'), /editorHasSelection/);
    // What needs nothing open stays in the palette everywhere.
    for (const id of ['itool.openDataset', 'itool.choosePolicy', 'itool.setEndpointApiKey', 'itool.showRoundDashboard']) assert.equal(whenOf(id), '', `${id} is always offered`);
    for (const m of palette) assert.ok(m.when, `${m.command}: a palette entry exists to give a when clause`);
  });

  it("commands in the dataset panel's title bar have icons and show only on that panel", () => {
    const title = pkg.contributes.menus['editor/title'];
    assert.ok(title.filter((m) => m.group?.startsWith('navigation')).length >= 3, 'the main steps are buttons on the panel');
    for (const m of title) {
      assert.match(m.when ?? '', /activeCustomEditorId == 'itool\.dataset'/, `${m.command} shows only on a dataset panel`);
      assert.match(pkg.contributes.commands.find((c) => c.command === m.command)?.icon ?? '', /^\$\([a-z-]+\)$/, `${m.command} has an icon`);
    }
    for (const c of pkg.contributes.commands) assert.ok(c.icon, `${c.command} has an icon (any menu may show it)`);
  });

  it('keybindings name contributed commands, are scoped with a when clause and have a macOS key', () => {
    assert.ok(pkg.contributes.keybindings.length > 0);
    for (const k of pkg.contributes.keybindings) {
      assert.ok(pkg.contributes.commands.some((c) => c.command === k.command), k.command);
      assert.ok(k.when, `${k.command}: when`);
      assert.ok(k.mac, `${k.command}: mac`);
    }
    // The panel marks a fragment with M; a text editor's selection has the same command on a key.
    assert.ok(pkg.contributes.keybindings.some((k) => k.command === 'itool.markFragmentError' && /editorHasSelection/.test(k.when ?? '')));
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
