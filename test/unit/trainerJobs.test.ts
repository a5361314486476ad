// Trainer job backends end to end against stand-ins (test/support/standins, openaiFineTuneStandIn):
// the detached runner, progress from trainer_log.jsonl, failures carrying the trainer's own error,
// cancel reaching every process, re-attaching from a persisted JobRecord, a job outliving the
// process that started it, launcher settings reaching the trainer, and OpenAI fine-tuning jobs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import {
  cancelLocalJob,
  cancelOpenAIJob,
  llamaFactoryCommand,
  parseTrainerLogLine,
  pollLocalJob,
  pollOpenAIJob,
  readRunnerInfo,
  startLocalJob,
  startOpenAIJob,
  TrainerLogTail,
  trlCommand,
  watchJob,
} from '../../src/core/rounds/jobs';
import type { JobProgress, JobRecord } from '../../src/core/rounds/types';
import { OpenAIFineTuneStandIn } from '../support/openaiFineTuneStandIn';

const ROOT = resolve(__dirname, '..', '..');
const STANDINS = join(ROOT, 'test', 'support', 'standins');
const LLAMAFACTORY = join(STANDINS, 'llamafactory-cli');
const ACCELERATE = join(STANDINS, 'accelerate');
const RUNNER_TS = join(ROOT, 'src', 'core', 'rounds', 'jobs', 'runner.ts');
// Absolute paths: the runner starts in the job folder, where a bare 'tsx/cjs' would not resolve.
const RUNNER = [process.execPath, '-e', `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(RUNNER_TS)})`];
const FAST = { STANDIN_STEP_MS: '15' };
const WATCH = { intervalMs: 40 };

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'itool-jobs-'));
}

/** A real (tiny) LLaMA-Factory project: dataset_info.json, a sharegpt ranking dataset, the YAML. */
function lfProject(dir: string, opts: { records?: number; dataset?: string; yaml?: Record<string, unknown> } = {}) {
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'dataset_info.json'), JSON.stringify({
    itool_pairs: {
      file_name: 'itool_pairs.json',
      formatting: 'sharegpt',
      ranking: true,
      columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected', system: 'system', tools: 'tools' },
    },
  }, null, 2));
  const records = Array.from({ length: opts.records ?? 12 }, (_, i) => ({
    conversations: [{ from: 'human', value: `What is the weather in city ${i}?` }],
    chosen: { from: 'function_call', value: JSON.stringify({ name: 'get_weather', arguments: { city: `city ${i}` } }) },
    rejected: { from: 'gpt', value: 'I cannot check the weather.' },
    system: 'You are a helpful assistant.',
    tools: JSON.stringify([{ name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]),
  }));
  writeFileSync(join(data, 'itool_pairs.json'), JSON.stringify(records, null, 2));
  const outputDir = join(dir, 'out');
  const yaml = {
    stage: 'dpo', pref_loss: 'simpo', pref_beta: 2.5, simpo_gamma: 0.5,
    model_name_or_path: 'Qwen/Qwen2.5-0.5B-Instruct', dataset: opts.dataset ?? 'itool_pairs', dataset_dir: data, template: 'qwen',
    finetuning_type: 'lora', lora_rank: 8, lora_target: 'all', output_dir: outputDir, learning_rate: 5e-6,
    num_train_epochs: 2.0, per_device_train_batch_size: 2, gradient_accumulation_steps: 1, logging_steps: 1, bf16: true,
    ...opts.yaml,
  };
  const yamlPath = join(dir, 'train.yaml');
  writeFileSync(yamlPath, Object.entries(yaml).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join('\n') + '\n');
  return { yamlPath, outputDir, trainerLogPath: join(outputDir, 'trainer_log.jsonl') };
}

async function startLF(dir: string, env: Record<string, string> = {}, project = lfProject(dir), settings: Parameters<typeof llamaFactoryCommand>[0] = { command: LLAMAFACTORY }) {
  const cmd = llamaFactoryCommand(settings, project.yamlPath);
  const rec = await startLocalJob({
    backend: 'llamafactory', jobDir: join(dir, 'job'), program: cmd.program, args: cmd.args, env: { ...cmd.env, ...FAST, ...env },
    outputDir: project.outputDir, trainerLogPath: project.trainerLogPath, runnerCommand: RUNNER, graceMs: 2000,
  });
  return { rec, project };
}

/** Gone: no such process, or a zombie nobody has reaped yet. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function assertMonotonic(ps: JobProgress[]): void {
  for (let i = 1; i < ps.length; i++) assert.ok(ps[i].percentage >= ps[i - 1].percentage, `progress went back: ${JSON.stringify(ps.map((p) => p.percentage))}`);
}

describe('trainer log', () => {
  it('parses the real line format, missing keys, unknown keys, NaN, and rejects non-progress', () => {
    const p = parseTrainerLogLine('{"current_steps": 10, "total_steps": 100, "loss": 0.6931, "lr": 4.5e-06, "epoch": 0.1, "percentage": 10.0, "elapsed_time": "0:00:12", "remaining_time": "0:01:48", "throughput": 1234.5, "vram_allocated": 12.1}');
    assert.deepEqual({ ...p, message: undefined }, { percentage: 10, currentSteps: 10, totalSteps: 100, loss: 0.6931, elapsedTime: '0:00:12', remainingTime: '0:01:48', message: undefined });
    assert.match(p!.message!, /epoch 0\.1/);
    // percentage 0 is an empty value LLaMA-Factory may leave out: derived from the steps.
    assert.equal(parseTrainerLogLine('{"current_steps": 5, "total_steps": 20}')!.percentage, 25);
    assert.equal(parseTrainerLogLine('{"current_steps": 3, "total_steps": 9, "loss": NaN, "percentage": 33.33}')!.loss, undefined);
    assert.equal(parseTrainerLogLine('{"current_steps": 3, "total_st'), undefined);
    assert.equal(parseTrainerLogLine('{"train_runtime": 12.3}'), undefined);
    assert.equal(parseTrainerLogLine('not json'), undefined);
  });

  it('a tail reads only new complete lines, waits for a partial last line, and restarts on truncation', async () => {
    const path = join(tmp(), 'trainer_log.jsonl');
    const tail = new TrainerLogTail(path);
    assert.deepEqual(await tail.read(), []);
    writeFileSync(path, '{"current_steps": 1, "total_steps": 4, "percentage": 25.0}\n{"current_steps": 2, "tot');
    assert.deepEqual((await tail.read()).map((p) => p.currentSteps), [1]);
    writeFileSync(path, '{"current_steps": 1, "total_steps": 4, "percentage": 25.0}\n{"current_steps": 2, "total_steps": 4, "percentage": 50.0}\n');
    assert.deepEqual((await tail.read()).map((p) => p.currentSteps), [2]);
    assert.deepEqual(await tail.read(), []);
    writeFileSync(path, '{"current_steps": 1, "total_steps": 8, "percentage": 12.5}\n');
    assert.deepEqual((await tail.read()).map((p) => p.totalSteps), [8]);
    assert.equal(tail.latest!.percentage, 12.5);
  });
});

describe('command builders', () => {
  it('LLaMA-Factory: an argument array, distributed variables only when set', () => {
    assert.deepEqual(llamaFactoryCommand({ command: 'llamafactory-cli' }, '/r/train.yaml'), { program: 'llamafactory-cli', args: ['train', '/r/train.yaml'], env: {} });
    const c = llamaFactoryCommand({ command: '/opt/lf/bin/llamafactory-cli', forceTorchrun: true, nnodes: 2, nodeRank: 1, nprocPerNode: 8, masterAddr: '10.0.0.5', masterPort: 29500 }, 'a b.yaml');
    assert.deepEqual(c.args, ['train', 'a b.yaml']);
    assert.deepEqual(c.env, { FORCE_TORCHRUN: '1', NNODES: '2', NODE_RANK: '1', NPROC_PER_NODE: '8', MASTER_ADDR: '10.0.0.5', MASTER_PORT: '29500' });
    assert.throws(() => llamaFactoryCommand({ command: '  ' }, 'x.yaml'), /not set/);
    assert.throws(() => llamaFactoryCommand({ command: 'llamafactory-cli', masterAddr: '--evil' }, 'x.yaml'), /not a host/);
    assert.throws(() => llamaFactoryCommand({ command: 'llamafactory-cli', nnodes: 2, nodeRank: 2 }, 'x.yaml'), /below NNODES/);
  });

  it('TRL: accelerate launch options, then the script and its own arguments', () => {
    const c = trlCommand({ accelerate: 'accelerate', numProcesses: 4, numMachines: 2, machineRank: 1, mainProcessIp: 'node0', mainProcessPort: 29501, configFile: '/c/acc.yaml' }, '/r/launch.py', '/r/cfg.yaml', 'cpo');
    assert.deepEqual(c.args, ['launch', '--config_file', '/c/acc.yaml', '--num_processes', '4', '--num_machines', '2', '--machine_rank', '1',
      '--main_process_ip', 'node0', '--main_process_port', '29501', '/r/launch.py', '--config', '/r/cfg.yaml', '--trainer', 'cpo']);
    assert.deepEqual(trlCommand({ accelerate: 'accelerate' }, 's.py', 'c.yaml', 'dpo').args, ['launch', 's.py', '--config', 'c.yaml', '--trainer', 'dpo']);
    assert.throws(() => trlCommand({ accelerate: '' }, 's.py', 'c.yaml', 'dpo'), /not set/);
    assert.throws(() => trlCommand({ accelerate: 'accelerate', numProcesses: 0 }, 's.py', 'c.yaml', 'dpo'), /at least 1/);
  });
});

describe('local jobs (LLaMA-Factory stand-in through the detached runner)', () => {
  it('succeeds with monotonic progress to 100, losses, and the adapter; an older run\'s log lines are not its progress', async () => {
    const dir = tmp();
    const project = lfProject(dir);
    mkdirSync(project.outputDir, { recursive: true });
    writeFileSync(project.trainerLogPath, '{"current_steps": 99, "total_steps": 99, "loss": 9.9, "percentage": 100.0}\n');
    const { rec } = await startLF(dir, {}, project);
    assert.equal(rec.status, 'running');
    assert.ok(rec.pid && rec.pid !== process.pid);
    const seen: JobProgress[] = [];
    const done = await watchJob(rec, (p) => seen.push(p), undefined, WATCH);
    assert.equal(done.status, 'succeeded', done.error);
    assert.ok(seen.length >= 2, `several progress reports, got ${seen.length}`);
    assert.ok(seen.every((p) => p.totalSteps === 12), 'the stale 99-step line was never reported');
    assertMonotonic(seen);
    assert.equal(seen.at(-1)!.percentage, 100);
    assert.ok(seen.some((p) => typeof p.loss === 'number' && p.loss > 0 && p.loss < 1));
    assert.equal(done.resultModel, project.outputDir);
    assert.ok(existsSync(join(project.outputDir, 'adapter_config.json')));
    assert.ok(existsSync(join(project.outputDir, 'train_results.json')));
    const status = JSON.parse(readFileSync(join(rec.jobDir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'succeeded');
    assert.equal(status.exitCode, 0);
    assert.match(readFileSync(rec.logPath!, 'utf8'), /Total optimization steps = 12/);
  });

  it('fails with the trainer\'s own error (CUDA OOM traceback) and keeps the log', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, { STANDIN_FAIL_AT_STEP: '3' });
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /torch\.OutOfMemoryError: CUDA out of memory/);
    assert.match(done.error!, /Traceback|File "/);
    assert.ok(existsSync(rec.logPath!));
    assert.ok(done.error!.includes(rec.logPath!), 'the error points at the full log');
  });

  it('through torchrun, the worker\'s error still heads the message (not only torchrun\'s ChildFailedError summary)', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, { STANDIN_FAIL_AT_STEP: '2' }, undefined, { command: LLAMAFACTORY, forceTorchrun: true });
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /ChildFailedError/);
    assert.match(done.error!, /torch\.OutOfMemoryError: CUDA out of memory/);
  });

  it('fails like the real CLI on an undefined dataset', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, {}, lfProject(dir, { dataset: 'not_there' }));
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /ValueError: Undefined dataset not_there in dataset_info\.json\./);
  });

  it('a program that is not installed fails with a clear message', async () => {
    const dir = tmp();
    const rec = await startLocalJob({
      backend: 'local', jobDir: join(dir, 'job'), program: join(dir, 'no-such-trainer'), args: [], outputDir: join(dir, 'out'),
      trainerLogPath: join(dir, 'out', 'trainer_log.jsonl'), runnerCommand: RUNNER,
    });
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /could not start .*no-such-trainer.*ENOENT/);
  });

  it('cancel stops the runner, the launcher and its worker', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, { STANDIN_STEP_MS: '200' }, undefined, { command: LLAMAFACTORY, forceTorchrun: true });
    await until('the worker to start', async () => /worker pid \d+/.test(readFileSync(rec.logPath!, 'utf8')) && !!(await readRunnerInfo(rec.jobDir)));
    const info = await readRunnerInfo(rec.jobDir);
    assert.ok(info, 'runner.json written');
    const worker = Number(/worker pid (\d+)/.exec(readFileSync(rec.logPath!, 'utf8'))![1]);
    const done = await cancelLocalJob(rec);
    assert.equal(done.status, 'cancelled');
    await until('every process to be gone', () => gone(info!.trainerPid) && gone(worker) && gone(rec.pid!));
    assert.equal(JSON.parse(readFileSync(join(rec.jobDir, 'status.json'), 'utf8')).status, 'cancelled');
  });

  it('cancel escalates to SIGKILL for a trainer that ignores SIGTERM', async () => {
    const dir = tmp();
    const rec = await startLocalJob({
      backend: 'local', jobDir: join(dir, 'job'), program: process.execPath,
      args: ['-e', "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => {}, 1000)"],
      outputDir: join(dir, 'out'), trainerLogPath: join(dir, 'out', 'trainer_log.jsonl'), runnerCommand: RUNNER, graceMs: 300,
    });
    await until('the trainer to start', async () => /^up$/m.test(readFileSync(rec.logPath!, 'utf8')) && !!(await readRunnerInfo(rec.jobDir)));
    const info = await readRunnerInfo(rec.jobDir);
    const done = await cancelLocalJob(rec);
    assert.equal(done.status, 'cancelled');
    await until('the trainer to be gone', () => gone(info!.trainerPid));
    assert.match(readFileSync(rec.logPath!, 'utf8'), /SIGKILL/);
  });

  it('a runner killed without recording an exit reads as failed, and a reused pid is not taken for the runner', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, { STANDIN_STEP_MS: '200' });
    await until('the trainer to start', async () => !!(await readRunnerInfo(rec.jobDir)));
    const info = (await readRunnerInfo(rec.jobDir))!;
    process.kill(rec.pid!, 'SIGKILL');
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    process.kill(-info.trainerPid, 'SIGKILL'); // the orphaned trainer: not the poller's business
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /the job runner stopped without recording an exit \(killed\?\) — see .*train\.log/);
    // A live pid that is not this job's runner (here: the test process itself).
    const other = await pollLocalJob({ ...rec, jobDir: join(dir, 'elsewhere'), pid: process.pid });
    assert.equal(other.status, 'failed');
  });

  it('re-attaches from the persisted JobRecord alone', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, { STANDIN_STEP_MS: '30' });
    const saved = join(dir, 'registry.json');
    writeFileSync(saved, JSON.stringify({ job: rec }));
    // The first window watches for a while, then goes away mid-run: its watch stops, the job goes on.
    const first = new AbortController();
    setTimeout(() => first.abort(new Error('window closed')), 300);
    await assert.rejects(watchJob(rec, () => undefined, first.signal, WATCH), /window closed/);
    const fresh = (JSON.parse(readFileSync(saved, 'utf8')) as { job: JobRecord }).job;
    const seen: JobProgress[] = [];
    const done = await watchJob(fresh, (p) => seen.push(p), undefined, WATCH);
    assert.equal(done.status, 'succeeded', done.error);
    assertMonotonic(seen);
    assert.equal(done.lastProgress!.percentage, 100);
  });

  it('outlives the process that started it (the window-reload story)', async () => {
    const dir = tmp();
    const project = lfProject(dir);
    const recPath = join(dir, 'job.json');
    const code = `
      require(${JSON.stringify(require.resolve('tsx/cjs'))});
      const { startLocalJob, llamaFactoryCommand } = require(${JSON.stringify(join(ROOT, 'src/core/rounds/jobs/index.ts'))});
      const { writeFileSync } = require('node:fs');
      const cmd = llamaFactoryCommand({ command: ${JSON.stringify(LLAMAFACTORY)} }, ${JSON.stringify(project.yamlPath)});
      startLocalJob({ backend: 'llamafactory', jobDir: ${JSON.stringify(join(dir, 'job'))}, program: cmd.program, args: cmd.args,
        env: { ...cmd.env, STANDIN_STEP_MS: '40' }, outputDir: ${JSON.stringify(project.outputDir)},
        trainerLogPath: ${JSON.stringify(project.trainerLogPath)}, runnerCommand: ${JSON.stringify(RUNNER)} })
        .then((rec) => { writeFileSync(${JSON.stringify(recPath)}, JSON.stringify(rec)); process.exit(0); });`;
    const parent = spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const exit = await new Promise<number | null>((r) => parent.once('exit', r));
    assert.equal(exit, 0);
    const rec = JSON.parse(readFileSync(recPath, 'utf8')) as JobRecord;
    assert.ok(!gone(rec.pid!), 'the runner still runs after its parent exited');
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    assert.equal(done.status, 'succeeded', done.error);
    assert.ok(existsSync(join(project.outputDir, 'adapter_config.json')));
  });

  it('passes the torchrun settings through to the trainer', async () => {
    const dir = tmp();
    const { rec } = await startLF(dir, {}, undefined, { command: LLAMAFACTORY, forceTorchrun: true, nnodes: 2, nodeRank: 1, nprocPerNode: 1, masterAddr: '127.0.0.1', masterPort: 29555 });
    const done = await watchJob(rec, () => undefined, undefined, WATCH);
    assert.equal(done.status, 'succeeded', done.error);
    const log = readFileSync(rec.logPath!, 'utf8');
    assert.match(log, /Initializing 1 distributed tasks at: 127\.0\.0\.1:29555/);
    assert.match(log, /torchrun --nnodes 2 --node_rank 1 --nproc_per_node 1 --master_addr 127\.0\.0\.1 --master_port 29555 /);
  });
});

describe('local jobs (TRL through the accelerate stand-in)', () => {
  function trlProject(dir: string, recordLine: (i: number) => unknown = (i) => ({ prompt: [{ role: 'user', content: `q${i}` }], chosen: [{ role: 'assistant', content: 'a' }], rejected: [{ role: 'assistant', content: 'b' }] })) {
    const dataset = join(dir, 'pairs.jsonl');
    writeFileSync(dataset, Array.from({ length: 8 }, (_, i) => JSON.stringify(recordLine(i))).join('\n') + '\n');
    const outputDir = join(dir, 'trl-out');
    const cfg = join(dir, 'cpo.yaml');
    writeFileSync(cfg, `output_dir: ${outputDir}\ndataset_path: ${dataset}\nnum_train_epochs: 1\nper_device_train_batch_size: 2\ngradient_accumulation_steps: 1\nlogging_steps: 1\nloss_type: simpo\ncpo_alpha: 0.0\n`);
    const script = join(dir, 'itool_trl_launch.py');
    writeFileSync(script, '# the launch script (the stand-in accelerate does not run Python)\n');
    return { cfg, script, outputDir };
  }

  async function run(dir: string, p: ReturnType<typeof trlProject>) {
    const cmd = trlCommand({ accelerate: ACCELERATE, numProcesses: 1, mainProcessPort: 29601 }, p.script, p.cfg, 'cpo');
    const rec = await startLocalJob({
      backend: 'trl', jobDir: join(dir, 'job'), program: cmd.program, args: cmd.args, env: { ...cmd.env, ...FAST },
      outputDir: p.outputDir, trainerLogPath: join(p.outputDir, 'trainer_log.jsonl'), runnerCommand: RUNNER,
    });
    const seen: JobProgress[] = [];
    return { rec, seen, done: await watchJob(rec, (x) => seen.push(x), undefined, WATCH) };
  }

  it('succeeds with progress and passes accelerate options through', async () => {
    const dir = tmp();
    const p = trlProject(dir);
    const { rec, seen, done } = await run(dir, p);
    assert.equal(done.status, 'succeeded', done.error);
    assertMonotonic(seen);
    assert.equal(seen.at(-1)!.percentage, 100);
    assert.equal(done.resultModel, p.outputDir);
    assert.match(readFileSync(rec.logPath!, 'utf8'), /launch --num_processes 1 --main_process_port 29601 .*--trainer cpo/);
  });

  it('a record without "rejected" fails with the script\'s KeyError despite accelerate\'s wrapper', async () => {
    const dir = tmp();
    const { done } = await run(dir, trlProject(dir, (i) => ({ prompt: [{ role: 'user', content: `q${i}` }], chosen: [{ role: 'assistant', content: 'a' }] })));
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /KeyError: 'rejected'/);
    assert.match(done.error!, /CalledProcessError/);
  });
});

describe('OpenAI fine-tuning jobs (stand-in server)', () => {
  const KEY = 'sk-test-SECRET-0123456789abcdef';
  let server: OpenAIFineTuneStandIn;
  const client = (key = KEY) => new OpenAI({ baseURL: server.url, apiKey: key, maxRetries: 0, organization: null, project: null, timeout: 5000 });
  const line = (i: number) => ({
    input: { messages: [{ role: 'user', content: `weather in ${i}?` }], tools: [], parallel_tool_calls: true },
    preferred_output: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }],
    non_preferred_output: [{ role: 'assistant', content: 'cannot' }],
  });
  function file(dir: string, lines: unknown[]): string {
    const p = join(dir, 'dpo.jsonl');
    writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return p;
  }

  before(async () => {
    server = await OpenAIFineTuneStandIn.start({ apiKey: KEY, validatingMs: 80, runningMs: 400, totalSteps: 5 });
  });
  after(async () => server.close());

  it('succeeds with the fine-tuned model name and step progress', async () => {
    const dir = tmp();
    const c = client();
    const trainingFile = file(dir, [line(1), line(2), line(3)]);
    const rec = await startOpenAIJob({ client: c, trainingFile, model: 'gpt-4o-mini-2024-07-18', beta: 0.1, jobDir: join(dir, 'job') });
    assert.equal(rec.status, 'running');
    assert.match(rec.remoteJobId!, /^ftjob-/);
    const upload = server.requests.find((r) => r.path === '/v1/files')!;
    assert.deepEqual(upload.body, { purpose: 'fine-tune', filename: 'dpo.jsonl', bytes: readFileSync(trainingFile).length });
    const create = server.requests.find((r) => r.path === '/v1/fine_tuning/jobs' && r.method === 'POST')!;
    assert.deepEqual((create.body as Record<string, unknown>).method, { type: 'dpo', dpo: { hyperparameters: { beta: 0.1 } } });
    const seen: JobProgress[] = [];
    const reattached = JSON.parse(JSON.stringify(rec)) as JobRecord;
    const done = await watchJob(reattached, (p) => seen.push(p), undefined, { intervalMs: 40, poll: (r) => pollOpenAIJob(c, r) });
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.resultModel, 'ft:gpt-4o-mini-2024-07-18:itool::abc');
    assertMonotonic(seen);
    assert.ok(seen.some((p) => p.totalSteps === 5 && p.currentSteps! < 5 && p.percentage > 0 && p.percentage < 100), 'a mid-run step was seen');
    assert.equal(done.lastProgress!.percentage, 100);
    assert.match(done.lastProgress!.message!, /successfully completed/);
  });

  it('an invalid training file fails the job with the service\'s message', async () => {
    const dir = tmp();
    const c = client();
    const rec = await startOpenAIJob({ client: c, trainingFile: file(dir, [line(1), { input: { messages: [] }, preferred_output: [] }]), model: 'gpt-4o-mini', jobDir: join(dir, 'job') });
    const done = await watchJob(rec, () => undefined, undefined, { intervalMs: 40, poll: (r) => pollOpenAIJob(c, r) });
    assert.equal(done.status, 'failed');
    assert.match(done.error!, /invalid training file.*Line 2.*preferred_output/);
    assert.match(done.error!, /invalid_training_file/);
  });

  it('cancel ends in cancelled', async () => {
    const dir = tmp();
    const c = client();
    const rec = await startOpenAIJob({ client: c, trainingFile: file(dir, [line(1)]), model: 'gpt-4o-mini', jobDir: join(dir, 'job') });
    const done = await cancelOpenAIJob(c, rec);
    assert.equal(done.status, 'cancelled');
    assert.equal((await pollOpenAIJob(c, { ...rec })).status, 'cancelled');
    assert.ok(server.requests.some((r) => r.method === 'POST' && r.path === `/v1/fine_tuning/jobs/${rec.remoteJobId}/cancel`));
  });

  it('never puts the API key in an error, even when the server echoes it', async () => {
    const dir = tmp();
    const wrong = 'sk-wrong-SECRET-fedcba9876543210';
    const trainingFile = file(dir, [line(1)]);
    await assert.rejects(startOpenAIJob({ client: client(wrong), trainingFile, model: 'gpt-4o-mini', jobDir: join(dir, 'job') }), (err: Error) => {
      assert.match(err.message, /401|Incorrect API key/);
      assert.ok(!err.message.includes(wrong), err.message);
      return true;
    });
    const rec = await startOpenAIJob({ client: client(), trainingFile, model: 'gpt-4o-mini', jobDir: join(dir, 'job2') });
    await assert.rejects(pollOpenAIJob(client(wrong), rec), (err: Error) => !err.message.includes(wrong));
    assert.ok(!JSON.stringify(rec).includes(KEY));
    assert.ok(!readFileSync(join(dir, 'job2', 'openai-job.json'), 'utf8').includes(KEY));
  });
});
