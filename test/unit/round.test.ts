// `itool round` as a user runs it (the built CLI, real processes): start a round on a reviewed
// dataset with the local backend, whose trainer is a STAND-IN (test/support/standins/
// python-itool-train: it trains nothing, but checks the config and pairs file the real trainer
// reads and leaves what it leaves: LLaMA-Factory-format progress, the output model folder, a
// Python traceback on a fault), run as a detached job through the real job runner; follow it,
// read the registry with `status`, evaluate the trained model (the project's tiny ONNX demo model,
// which the stand-in copies) on a held-out split; Ctrl-C and cancel; the OpenAI backend against the
// fine-tuning API's STAND-IN (test/support/openaiFineTuneStandIn.ts); and the bad inputs a user gets wrong.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isModelFolder } from '../../src/core/model/onnx/folder';
import { readRegistry } from '../../src/core/rounds/registry';
import type { RoundRegistry } from '../../src/core/rounds/types';
import { CLI, ensureBuiltCli } from '../support/builtCli';
import { OpenAIFineTuneStandIn } from '../support/openaiFineTuneStandIn';
import { tempDirs } from '../support/tempDirs';
import { reviewedDataset, ROOT, type ReviewedDataset } from './roundFixture';

const tmp = tempDirs();
const STANDIN_PYTHON = join(ROOT, 'test', 'support', 'standins', 'python-itool-train');
const DEMO_MODEL = join(ROOT, 'demo', 'models', 'itool-tiny');

function itool(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, STANDIN_STEP_MS: '20', ...env }, timeout: 120_000 });
}

const startLocal = (dataset: string, ...more: string[]) => ['round', 'start', dataset, '--backend', 'local', '--model', DEMO_MODEL, '--python', STANDIN_PYTHON, ...more];

let f: ReviewedDataset;

before(async () => {
  ensureBuiltCli();
  f = await reviewedDataset(tmp('itool-round-'));
});

describe('itool round start --backend local (the trainer a stand-in)', () => {
  it('exports the accepted pairs, runs the trainer as a detached job, follows it with progress on stderr, and records the trained model', async () => {
    const r = itool(startLocal(f.dataset));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /itool round: 4 accepted pair\(s\) \(1 hand-made\); left out: \d+ pending, 1 rejected/);
    assert.match(r.stderr, /following round 1 \(local\); Ctrl-C stops following, the job goes on/);
    assert.match(r.stderr, /\[round 1\] 100% · step (\d+)\/\1/);
    assert.match(r.stdout, /^round 1: local training started on 4 pair\(s\); export .*export-local; job .*job-local/m);
    assert.match(r.stdout, /^round 1: trained \(local\): .*output-local$/m);
    const round = (await readRegistry(f.dataset)).rounds[0];
    assert.equal(round.round, 1, 'the search’s round');
    assert.deepEqual(round.pairs, { found: f.pairs.length + 1, accepted: 4, manual: 1 });
    assert.equal(round.export?.target, 'local');
    assert.ok(round.explore && existsSync(round.explore));
    assert.deepEqual([round.job?.status, round.job?.backend], ['succeeded', 'local']);
    assert.ok(isModelFolder(round.result?.modelDir), `the trained policy is an ONNX model folder: ${round.result?.modelDir}`);
    // What the trainer was given: the config the real script reads, the 4 pairs tokenized by the model's own tokenizer.
    const cfg = JSON.parse(readFileSync(join(round.export!.dir, 'pref.json'), 'utf8')) as { model_dir: string; pref_file: string; loss: string };
    assert.deepEqual([cfg.model_dir, cfg.loss], [DEMO_MODEL, 'simpo']);
    assert.equal(readFileSync(cfg.pref_file, 'utf8').trim().split('\n').length, 4);
  });

  it('status (text and --json) shows the registry; evaluate records the trained model’s held-out numbers, and a baseline', async () => {
    const json = itool(['round', 'status', f.dataset, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const reg = JSON.parse(json.stdout) as RoundRegistry;
    assert.deepEqual(reg.rounds.map((r) => [r.round, r.job?.status]), [[1, 'succeeded']]);
    const text = itool(['round', 'status', f.dataset]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^round 1 {2}from scripted$/m);
    assert.match(text.stdout, /^ {2}job {8}succeeded \(local\) {2}100% · step (\d+)\/\1/m);
    // The held-out split in a folder of its own: predictions are written beside it.
    const dir = tmp('itool-round-heldout-');
    cpSync(join(ROOT, 'demo', 'datasets', 'synth', 'heldout'), dir, { recursive: true });
    const heldOut = join(dir, 'BFCL_v4_synth_heldout.json');
    const ev = itool(['round', 'evaluate', f.dataset, '--held-out', heldOut, '--limit', '2']);
    assert.equal(ev.status, 0, ev.stderr);
    assert.match(ev.stdout, /^round 1 evaluation: held-out accuracy \d+\.\d% \(\d+\/2\)/m);
    const base = itool(['round', 'evaluate', f.dataset, '--baseline', '--model', DEMO_MODEL, '--limit', '1', '--json']);
    assert.equal(base.status, 0, base.stderr);
    assert.equal((JSON.parse(base.stdout) as { total: number }).total, 1);
    const after = await readRegistry(f.dataset);
    assert.equal(after.heldOut, heldOut, 'the held-out split is remembered');
    const r1 = after.rounds[0];
    assert.deepEqual([r1.evaluation?.total, r1.evaluation?.heldOut, r1.baseline?.total], [2, heldOut, 1]);
    assert.ok(existsSync(r1.evaluation!.predictions));
    assert.match(itool(['round', 'status', f.dataset]).stdout, /^ {2}held-out {3}\d+\.\d% \(\d+\/2\) {2}baseline \d+\.\d% \(\d+\/1\)$/m);
  });

  it('--beta, --gamma, --lr and --epochs reach the trainer’s config and the registry, and are printed', async () => {
    const g = await reviewedDataset(tmp('itool-round-knobs-'));
    const r = itool(startLocal(g.dataset, '--beta', '2', '--gamma', '0.3', '--lr', '2e-5', '--epochs', '3'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /itool round: simpo, β 2, γ 0\.3, learning rate 0\.00002, 3 epoch\(s\)/);
    const round = (await readRegistry(g.dataset)).rounds[0];
    assert.deepEqual(round.export?.training, { objective: 'simpo', beta: 2, gamma: 0.3, learningRate: 2e-5, epochs: 3 });
    const cfg = JSON.parse(readFileSync(join(round.export!.dir, 'pref.json'), 'utf8')) as { beta: number; gamma: number; learning_rate: number; epochs: number };
    assert.deepEqual([cfg.beta, cfg.gamma, cfg.learning_rate, cfg.epochs], [2, 0.3, 2e-5, 3]);
  });

  it('--detach returns at once; a trainer that fails is recorded by the next status, with the trainer’s own error', async () => {
    const g = await reviewedDataset(tmp('itool-round-fail-'));
    const r = itool(startLocal(g.dataset, '--detach'), { STANDIN_FAIL_AT_STEP: '2', STANDIN_STEP_MS: '200' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /round 1: local training started on 4 pair\(s\)/);
    assert.doesNotMatch(r.stderr, /following round/);
    const end = Date.now() + 30_000;
    let job = (await readRegistry(g.dataset)).rounds[0].job;
    while (job?.status === 'running' && Date.now() < end) {
      await new Promise((ok) => setTimeout(ok, 300));
      const s = itool(['round', 'status', g.dataset]);
      assert.equal(s.status, 0, s.stderr);
      job = (await readRegistry(g.dataset)).rounds[0].job;
    }
    assert.equal(job?.status, 'failed');
    assert.match(job!.error!, /torch\.OutOfMemoryError: CUDA out of memory/);
    const follow = itool(['round', 'follow', g.dataset]);
    assert.equal(follow.status, 1);
    assert.match(follow.stderr, /itool: round: no round of .* is training \(itool round status .* lists its rounds\)/);
  });
});

describe('itool round start --backend openai (the fine-tuning service a stand-in)', () => {
  it('uploads the OpenAI export, follows the remote job to its fine-tuned model, the key only ever from --key-env', async () => {
    const KEY = 'sk-itool-round-test-key';
    const server = await OpenAIFineTuneStandIn.start({ apiKey: KEY, validatingMs: 50, runningMs: 300, totalSteps: 4 });
    try {
      const g = await reviewedDataset(tmp('itool-round-openai-'));
      // Spawned, not spawnSync: the stand-in server answers from this process's event loop.
      const child = spawn(process.execPath, [CLI, 'round', 'start', g.dataset, '--backend', 'openai', '--base-model', 'gpt-4o-mini-2024-07-18', '--openai-base-url', server.url, '--key-env', 'ITOOL_TEST_FT_KEY'], {
        env: { ...process.env, ITOOL_TEST_FT_KEY: KEY },
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
      assert.equal(code, 0, err);
      assert.match(out, /^round 1: openai training started on 4 pair\(s\)/m);
      assert.match(out, /^round 1: trained \(openai\): ft:gpt-4o-mini-2024-07-18/m);
      const r1 = (await readRegistry(g.dataset)).rounds[0];
      assert.deepEqual([r1.job?.status, r1.export?.target], ['succeeded', 'openai']);
      assert.match(r1.result?.endpointModel ?? '', /^ft:gpt-4o-mini/);
      assert.ok(server.requests.some((q) => q.path === '/v1/files'), 'the export was uploaded');
      assert.ok(!out.includes(KEY) && !err.includes(KEY), 'the key is never printed');
      assert.ok(!readFileSync(join(g.dataset + '.itool', 'rounds', 'rounds.json'), 'utf8').includes(KEY), 'nor recorded');
    } finally {
      await server.close();
    }
  });
});

describe('itool round: Ctrl-C detaches, cancel stops the job', () => {
  it('Ctrl-C while following leaves the job training (exit 0, said so); round cancel ends its whole process group and records it', async () => {
    const g = await reviewedDataset(tmp('itool-round-ctrlc-'));
    const child = spawn(process.execPath, [CLI, ...startLocal(g.dataset)], { env: { ...process.env, STANDIN_STEP_MS: '400' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    const end = Date.now() + 30_000;
    while (!/\[round 1\] \d+%/.test(stderr) && Date.now() < end) await new Promise((ok) => setTimeout(ok, 100));
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /itool round: detached; round 1 keeps training/);
    const job = (await readRegistry(g.dataset)).rounds[0].job!;
    assert.equal(job.status, 'running');
    const status = itool(['round', 'status', g.dataset]);
    assert.match(status.stdout, /^ {2}job {8}running \(local\)/m);
    const cancel = itool(['round', 'cancel', g.dataset]);
    assert.equal(cancel.status, 0, cancel.stderr);
    assert.equal(cancel.stdout, 'round 1: cancelled\n');
    assert.equal((await readRegistry(g.dataset)).rounds[0].job?.status, 'cancelled');
    // The runner records the cancel, then exits (a zombie nobody reaps, in a container, counts as gone).
    const gone = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
      } catch {
        return true;
      }
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat[stat.lastIndexOf(')') + 2] === 'Z';
    };
    const by = Date.now() + 10_000;
    while (!gone(job.pid!) && Date.now() < by) await new Promise((ok) => setTimeout(ok, 100));
    assert.ok(gone(job.pid!), 'the job runner is gone');
  });
});

describe('itool round: bad input is refused with a clear message and a non-zero exit', () => {
  it('unknown backend, missing dataset, no accepted pairs, no model to continue, an option of another subcommand, a key on the command line', async () => {
    const cases: [string[], number, RegExp][] = [
      [['round', 'start', f.dataset, '--backend', 'tpu'], 2, /itool: round start: --backend must be one of llamafactory, trl, openai, local, not "tpu"/],
      [startLocal(join(tmp('itool-round-none-'), 'missing.json')), 1, /itool: round start: dataset not found: .*missing\.json/],
      [['round', 'start', f.dataset, '--backend', 'local', '--python', STANDIN_PYTHON], 2, /--backend local needs --model DIR, a model the project made .*: the search ran with scripted, which it did not make/],
      [['round', 'status', f.dataset, '--backend', 'local'], 2, /itool: round status does not take --backend/],
      [['round', 'start', f.dataset, '--backend', 'openai', '--key', 'sk-do-not-echo'], 2, /a key is never taken from the command line .*give --key-env VAR/],
      [['round', 'start', f.dataset, '--backend', 'openai', '--base-model', 'gpt-4.1-mini', '--key-env', 'ITOOL_TEST_NO_SUCH_VAR'], 2, /--key-env ITOOL_TEST_NO_SUCH_VAR: that environment variable is not set/],
      [['round', 'start', f.dataset], 2, /--backend must be one of/],
      [['round', 'train', f.dataset], 2, /itool: round: unknown subcommand "train" \(start, follow, cancel, status, evaluate\)/],
      [[...startLocal(f.dataset), '--beta', '0'], 2, /itool: round start: --beta "0" is out of range/],
      [[...startLocal(f.dataset), '--epochs', '1.5'], 2, /itool: round start: --epochs "1.5" is out of range/],
      [[...startLocal(f.dataset), '--pref-loss', 'sigmoid', '--gamma', '0.5'], 2, /itool: round start: --gamma is SimPO's margin; sigmoid on local has none/],
      [['round', 'start', f.dataset, '--backend', 'openai', '--base-model', 'gpt-4.1-mini', '--lr', '1e-5'], 2, /itool: round start: --lr: openai picks its own learning rate/],
      [['round', 'evaluate', f.dataset, '--round', '9', '--held-out', f.dataset], 1, /round evaluate: round 9 is not in .*rounds\.json \(rounds: 1\)/],
    ];
    for (const [args, code, message] of cases) {
      const r = itool(args);
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr + r.stdout, /sk-do-not-echo/, 'a key is never echoed');
    }
    // A usage error shows the subcommand's own usage.
    const bad = itool(['round', 'start', f.dataset, '--backend', 'tpu']);
    assert.ok(bad.stderr.includes('  itool round start DATASET') && !bad.stderr.includes('itool round status'), bad.stderr);
    // No accepted pair: nothing exported, nothing launched.
    const bare = await reviewedDataset(tmp('itool-round-bare-'), false);
    const none = itool(startLocal(bare.dataset));
    assert.equal(none.status, 1);
    assert.match(none.stderr, new RegExp(`itool: round start: no accepted pairs to train on in .* \\(${bare.pairs.length} pending\\): accept pairs in review first`));
    assert.deepEqual((await readRegistry(bare.dataset)).rounds, []);
    const noRound = itool(['round', 'evaluate', bare.dataset, '--held-out', bare.dataset]);
    assert.equal(noRound.status, 1);
    assert.match(noRound.stderr, /round evaluate: no round in .*rounds\.json yet/);
  });

  it('each subcommand has its own --help; `itool round --help` shows them all', () => {
    const start = itool(['round', 'start', '--help']);
    assert.equal(start.status, 0);
    assert.ok(start.stdout.startsWith('Usage:\n  itool round start DATASET --backend local|llamafactory|trl|openai'), start.stdout);
    assert.ok(!start.stdout.includes('itool round evaluate'));
    const ev = itool(['round', 'evaluate', f.dataset, '-h']);
    assert.ok(ev.stdout.startsWith('Usage:\n  itool round evaluate DATASET') && !ev.stdout.includes('itool round start'), ev.stdout);
    const all = itool(['round', '--help']);
    for (const sub of ['start', 'follow', 'cancel', 'status', 'evaluate']) assert.ok(all.stdout.includes(`  itool round ${sub} DATASET`), sub);
  });
});
