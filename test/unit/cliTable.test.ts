// The `itool` command table (src/cli/itool.ts, command.ts): each command's usage, its --help, and
// the refusal of an option it does not take (every command once accepted all of them in silence).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/args';
import { commandValues } from '../../src/cli/command';
import { COMMANDS, commandUsage, USAGE } from '../../src/cli/itool';
import { CLI, ensureBuiltCli } from '../support/builtCli';

function itool(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('the itool command table', () => {
  it("every command's usage starts with `itool NAME`, and each of its entries names it", () => {
    for (const c of COMMANDS) {
      assert.ok(c.usage.startsWith(`  itool ${c.name} `), `${c.name}: ${JSON.stringify(c.usage.slice(0, 40))}`);
      assert.ok(c.usage.endsWith('\n'), c.name);
      for (const line of c.usage.split('\n').filter((l) => /^ {2}itool /.test(l))) assert.ok(line.startsWith(`  itool ${c.name} `), `${c.name}: ${line}`);
      // Entries and their indented descriptions only: a blank line would end it in the whole usage.
      for (const line of c.usage.slice(0, -1).split('\n')) assert.match(line, /^ {2}itool | {3,}\S/, `${c.name}: ${JSON.stringify(line)}`);
    }
  });

  it("the table's command names are the usage's, in its order, each once", () => {
    const named = [...USAGE.matchAll(/^ {2}itool ([a-z-]+)/gm)].map((m) => m[1]).filter((c, i, all) => all.indexOf(c) === i);
    assert.deepEqual(COMMANDS.map((c) => c.name), named);
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
    assert.equal(USAGE, `itool: tool-use dataset workbench (iTool Studio)\n\nUsage:\n${COMMANDS.map((c) => c.usage).join('')}\n${USAGE.slice(USAGE.indexOf('Formats: '))}`);
  });

  it('an option one command takes and another does not is refused by the other, naming both', () => {
    let pairs = 0;
    for (const c of COMMANDS) {
      const label = c.label ?? c.name;
      for (const other of COMMANDS) {
        for (const [name, o] of Object.entries(other.options)) {
          if (Object.hasOwn(c.options, name)) continue;
          const args = o.type === 'string' ? [`--${name}`, 'x'] : [`--${name}`];
          assert.throws(() => commandValues(c, args), (e: unknown) => e instanceof UsageError && e.message === `${label} does not take --${name}`, `${c.name} --${name}`);
          pairs++;
        }
      }
      // Its own options (and their short forms) it takes.
      for (const [name, o] of Object.entries(c.options)) {
        const value = o.type === 'string' ? ['x'] : [];
        assert.doesNotThrow(() => commandValues(c, [`--${name}`, ...value]), `${c.name} --${name}`);
        if (o.short) assert.equal(commandValues(c, [`-${o.short}`, ...value]).values[name as never], o.type === 'string' ? 'x' : true);
      }
    }
    assert.ok(pairs > 100, `${pairs} refusals checked`);
  });
});

describe('the built itool, per command', () => {
  ensureBuiltCli();

  it('COMMAND --help (and -h, anywhere) prints that command’s usage alone, exit 0', () => {
    for (const c of COMMANDS) {
      const r = itool(c.name, '--help');
      assert.equal(r.code, 0, `${c.name}: ${r.err}`);
      assert.equal(r.out, commandUsage(c.name), c.name);
      assert.equal(r.out, `Usage:\n${c.usage}`, c.name);
    }
    assert.equal(itool('convert', 'x.json', '-h').out, commandUsage('convert'));
    const all = itool('--help');
    assert.equal(all.code, 0);
    assert.equal(all.out, USAGE);
  });

  it('an option the command does not take: exit 2, `COMMAND does not take --OPTION`, then its usage', () => {
    const cases: [string[], string, string][] = [
      [['inspect', 'f.jsonl', '--to', 'x'], 'inspect does not take --to', 'inspect'],
      [['inspect', 'f.jsonl', '-o', 'x'], 'inspect does not take -o', 'inspect'],
      [['convert', 'f.jsonl', '--to', 'openai', '-o', 'x', '--selection', 's'], 'convert does not take --selection', 'convert'],
      [['calibrate', 'd.json', '--iters', '3'], 'calibrate does not take --iters', 'calibrate'],
      [['loop-report', 'dir', '--json'], 'loop-report does not take --json', 'loop-report'],
      [['review', 'd.json', '--accept', '0123456789abcdef', '--target', 'trl'], 'review does not take --target', 'review'],
      // check and reward run from the checker's own bundle (dist/itool-check.js): the same rule.
      [['check', 'd.json', '--outputs', 'o.jsonl', '--to', 'x'], 'check does not take --to', 'check'],
      [['reward', 'serve', '--dataset', 'd.json', '--outputs', 'o.jsonl'], 'reward serve does not take --outputs', 'reward'],
    ];
    for (const [args, message, command] of cases) {
      const r = itool(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.err, `itool: ${message}\n\n${commandUsage(command)}\nitool --help lists every command.\n`);
      assert.equal(r.out, '');
    }
  });
});
