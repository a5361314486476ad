// A round's loss curve from its trainer_log.jsonl (src/core/rounds/lossCurve.ts, the reader in
// jobs/trainerLog.ts, the registry's rounds in lossFeed.ts): LLaMA-Factory's lines as it writes
// them (bare NaN, keys left out, `lr` or `learning_rate`), malformed lines named with their line
// numbers and skipped (never silently), axes scaled to the data, a log read as it grows (a half
// written last line waits), replaced (a new run) or shared with an earlier run (the job's offset).
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LossLogReader } from '../../src/core/rounds/jobs/trainerLog';
import { formatLoss, lossAxis, lossChart, MAX_NAMED_MALFORMED, parseLossLine, parseLossLog, stepAxis, thin, type LossPoint } from '../../src/core/rounds/lossCurve';
import { LossFeed } from '../../src/core/rounds/lossFeed';
import type { JobRecord, RoundRegistry } from '../../src/core/rounds/types';

/** A line as LLaMA-Factory's LogCallback writes it (keys without a value left out). */
const lf = (step: number, total: number, loss?: number, extra = ''): string =>
  `{"current_steps": ${step}, "total_steps": ${total}${loss === undefined ? '' : `, "loss": ${loss}`}, "lr": 4.5e-06, "epoch": ${(step / total).toFixed(2)}, "percentage": ${((100 * step) / total).toFixed(2)}, "elapsed_time": "0:00:12", "remaining_time": "0:01:48"${extra}}`;

describe('a trainer log line', () => {
  it('reads LLaMA-Factory’s progress line: step, loss, epoch, lr (or learning_rate)', () => {
    assert.deepEqual(parseLossLine(lf(10, 100, 0.6931)), { kind: 'point', point: { step: 10, loss: 0.6931, epoch: 0.1, lr: 4.5e-6 }, totalSteps: 100 });
    assert.deepEqual(parseLossLine('{"current_steps": 3, "loss": 0.5, "learning_rate": 1e-05}'), { kind: 'point', point: { step: 3, loss: 0.5, lr: 1e-5 } });
  });

  it('a progress line without a loss (the train-end line, an eval line) is progress, not an error', () => {
    assert.deepEqual(parseLossLine(lf(100, 100)), { kind: 'progress', totalSteps: 100 });
    assert.deepEqual(parseLossLine('{"current_steps": 5, "total_steps": 10, "loss": null}'), { kind: 'progress', totalSteps: 10 });
    assert.deepEqual(parseLossLine('   '), { kind: 'blank' });
  });

  it('names what is wrong with a line that is not one', () => {
    const reason = (l: string) => {
      const r = parseLossLine(l);
      return r.kind === 'malformed' ? r.reason : r.kind;
    };
    assert.equal(reason('{"current_steps": 4, "loss": 0.5'), 'not JSON');
    assert.equal(reason('Traceback (most recent call last):'), 'not JSON');
    assert.equal(reason('[1, 2]'), 'not a JSON object');
    assert.equal(reason('"text"'), 'not a JSON object');
    assert.equal(reason('{"loss": 0.5}'), 'no current_steps');
    assert.equal(reason('{"current_steps": "7", "loss": 0.5}'), 'current_steps is "7", not a step number');
    assert.equal(reason('{"current_steps": -1, "loss": 0.5}'), 'current_steps is -1, not a step number');
    // Python's json.dumps writes a diverged loss as a bare NaN, which JSON.parse refuses.
    assert.equal(reason('{"current_steps": 9, "total_steps": 10, "loss": NaN, "lr": 1e-06}'), 'loss is NaN (the run diverged?)');
    assert.equal(reason('{"current_steps": 9, "loss": Infinity}'), 'loss is Infinity (the run diverged?)');
    assert.equal(reason('{"current_steps": 9, "loss": "0.5"}'), 'loss is "0.5", not a number');
  });
});

describe('a whole log', () => {
  it('plots the loss lines in step order, names and skips the malformed ones with their line numbers', () => {
    const text = [lf(1, 4, 0.69), 'not json at all', '', lf(2, 4, 0.61), '{"current_steps": 3, "loss": NaN}', lf(4, 4, 0.5), lf(4, 4)].join('\n') + '\n';
    const log = parseLossLog(text);
    assert.deepEqual(log.points.map((p) => [p.step, p.loss]), [[1, 0.69], [2, 0.61], [4, 0.5]]);
    assert.equal(log.totalSteps, 4);
    assert.equal(log.malformedCount, 2);
    assert.deepEqual(log.malformed.map((m) => [m.line, m.reason, m.text]), [
      [2, 'not JSON', 'not json at all'],
      [5, 'loss is NaN (the run diverged?)', '{"current_steps": 3, "loss": NaN}'],
    ]);
    assert.equal(log.lines, 7);
  });

  it('numbers lines from where reading began; a step logged again replaces the earlier point', () => {
    const log = parseLossLog([lf(1, 2, 0.7), lf(2, 2, 0.6), lf(2, 2, 0.55), 'x'].join('\n'), 11);
    assert.deepEqual(log.points.map((p) => p.loss), [0.7, 0.55]);
    assert.deepEqual(log.malformed.map((m) => m.line), [14]);
  });

  it('keeps the first MAX_NAMED_MALFORMED by name and counts the rest', () => {
    const log = parseLossLog(Array.from({ length: MAX_NAMED_MALFORMED + 5 }, (_, i) => `garbage ${i}`).join('\n'));
    assert.equal(log.malformed.length, MAX_NAMED_MALFORMED);
    assert.equal(log.malformedCount, MAX_NAMED_MALFORMED + 5);
  });

  it('thins a long curve for drawing, always keeping its last point', () => {
    const pts: LossPoint[] = Array.from({ length: 2501 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1) }));
    const t = thin(pts, 1000);
    assert.ok(t.length <= 1001, String(t.length));
    assert.deepEqual(t[0], pts[0]);
    assert.deepEqual(t.at(-1), pts.at(-1));
    assert.deepEqual(thin(pts.slice(0, 10), 1000), pts.slice(0, 10));
  });
});

describe('the axes', () => {
  it('the loss axis is the data’s (with a margin on round ticks), not 0 to 1; never below 0 for losses that are not', () => {
    const a = lossAxis([0.69, 0.6, 0.55]);
    assert.ok(a.min <= 0.55 && a.min >= 0.5 && a.max >= 0.69 && a.max <= 0.75, JSON.stringify(a));
    assert.ok(a.step > 0 && Number.isInteger(Math.round((a.max - a.min) / a.step)));
    assert.equal(lossAxis([0.05, 3]).min, 0);
    const flat = lossAxis([0.5, 0.5]);
    assert.ok(flat.min < 0.5 && flat.max > 0.5, JSON.stringify(flat));
    const negative = lossAxis([-1.2, 0.3]);
    assert.ok(negative.min <= -1.2 && negative.max >= 0.3);
    assert.deepEqual(lossAxis([]), { min: 0, max: 1, step: 0.2 });
  });

  it('the step axis runs to the run’s total steps, so a running curve grows into it', () => {
    assert.equal(stepAxis([{ totalSteps: 8, last: { step: 3, loss: 1 } }]).max, 8);
    // Whole ticks: 20 steps on 0, 5, 10, … (not 2.5 apart, which a step count cannot be).
    assert.deepEqual(stepAxis([{ totalSteps: 20, last: null }]), { min: 0, max: 20, step: 5 });
    assert.equal(stepAxis([{ totalSteps: 3, last: null }]).step, 1);
    assert.ok(stepAxis([{ totalSteps: 1000, last: null }, { totalSteps: null, last: { step: 40, loss: 1 } }]).max >= 1000);
  });

  it('the chart: rounds in order, the running one named, each last value as labelled', () => {
    const log = parseLossLog([lf(1, 4, 0.69), lf(2, 4, 0.61234)].join('\n'));
    const c = lossChart([
      { round: 2, backend: 'llamafactory', status: 'running', path: '/x/2', log, training: 'SimPO · β 2' },
      { round: 1, backend: 'local', status: 'succeeded', path: '/x/1', log: parseLossLog(lf(1, 1, 0.4)) },
    ]);
    assert.deepEqual(c.curves.map((x) => x.round), [1, 2]);
    assert.equal(c.running, 2);
    assert.equal(c.curves[1].lastText, '0.6123');
    assert.equal(c.curves[1].training, 'SimPO · β 2');
    assert.equal(c.x.max, 4);
    assert.ok(c.y.min <= 0.4 && c.y.max >= 0.69);
    assert.equal(formatLoss(0.000012345), '1.23e-5');
  });
});

describe('a log read as it grows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'itool-loss-'));

  it('takes in only whole lines; a half-written last line waits, and is read once the job has ended', async () => {
    const path = join(dir, 'trainer_log.jsonl');
    const r = new LossLogReader(path);
    assert.equal(await r.read(), undefined, 'no file yet');
    writeFileSync(path, `${lf(1, 3, 0.7)}\n{"current_steps": 2, "total`);
    let got = await r.read();
    assert.deepEqual(got?.log.points.map((p) => p.step), [1]);
    assert.equal(got?.changed, true);
    assert.equal((await r.read())?.changed, false, 'nothing new');
    appendFileSync(path, `_steps": 3, "loss": 0.6}\nbroken line\n${lf(3, 3, 0.5)}`);
    got = await r.read();
    assert.deepEqual(got?.log.points.map((p) => p.step), [1, 2]);
    assert.deepEqual(got?.log.malformed.map((m) => [m.line, m.reason]), [[3, 'not JSON']]);
    got = await r.read(true);
    assert.deepEqual(got?.log.points.map((p) => p.step), [1, 2, 3], 'the ended job’s last line, without its newline');
  });

  it('a log that shrank (a new run replaced it) is read again from its start', async () => {
    const path = join(dir, 'replaced.jsonl');
    writeFileSync(path, [lf(1, 3, 0.7), lf(2, 3, 0.6), lf(3, 3, 0.5)].join('\n') + '\n');
    const r = new LossLogReader(path);
    assert.equal((await r.read())?.log.points.length, 3);
    writeFileSync(path, `${lf(1, 5, 0.9)}\n`);
    const got = await r.read();
    assert.deepEqual(got?.log.points.map((p) => p.loss), [0.9]);
    assert.equal(got?.log.totalSteps, 5);
  });

  it('starts at the job’s offset (an earlier run’s lines before it), numbering lines as the file does', async () => {
    const path = join(dir, 'shared.jsonl');
    writeFileSync(path, [lf(1, 2, 0.7), lf(2, 2, 0.6)].join('\n') + '\n');
    const offset = statSync(path).size;
    appendFileSync(path, `oops\n${lf(1, 2, 0.3)}\n`);
    const got = await new LossLogReader(path, offset).read();
    assert.deepEqual(got?.log.points.map((p) => p.loss), [0.3]);
    assert.deepEqual(got?.log.malformed.map((m) => m.line), [3]);
  });
});

describe('the rounds’ curves from the registry', () => {
  it('one curve per round with a trainer log (OpenAI jobs have none), updated as the running one grows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'itool-lossfeed-'));
    const log1 = join(dir, 'r1.jsonl');
    const log2 = join(dir, 'r2.jsonl');
    writeFileSync(log1, [lf(1, 2, 0.7), lf(2, 2, 0.5), lf(2, 2)].join('\n') + '\n');
    writeFileSync(log2, `${lf(1, 4, 0.69)}\n`);
    const job = (backend: JobRecord['backend'], status: JobRecord['status'], trainerLogPath?: string): JobRecord => ({ backend, jobDir: dir, startedAt: 'x', status, ...(trainerLogPath ? { trainerLogPath } : {}) });
    const reg: RoundRegistry = {
      version: 1,
      dataset: join(dir, 'd.jsonl'),
      rounds: [
        { round: 1, policy: { id: 'a', label: 'a' }, job: job('llamafactory', 'succeeded', log1), export: { target: 'llamafactory', dir, files: [], at: 'x', training: { objective: 'simpo', beta: 2, gamma: 0.5, learningRate: 1e-6, epochs: 8 } } },
        { round: 2, policy: { id: 'b', label: 'b' }, job: job('trl', 'running', log2) },
        { round: 3, policy: { id: 'c', label: 'c' }, job: job('openai', 'running') },
      ],
    };
    const feed = new LossFeed(reg.dataset);
    let u = await feed.update(reg);
    assert.equal(u.changed, true);
    assert.deepEqual(u.chart.curves.map((c) => [c.round, c.logged, c.status]), [[1, 2, 'succeeded'], [2, 1, 'running']]);
    assert.equal(u.chart.curves[0].training, 'SimPO · β 2 · γ 0.5 · lr 1e-6 · 8 epochs');
    assert.equal(u.chart.running, 2);
    assert.equal((await feed.update(reg)).changed, false, 'no new line, no change');
    appendFileSync(log2, `${lf(2, 4, 0.6)}\n`);
    u = await feed.update(reg);
    assert.equal(u.changed, true);
    assert.deepEqual(u.chart.curves[1].points.map((p) => p.loss), [0.69, 0.6]);
    // The job ends with no new line: still a change (its status).
    reg.rounds[1].job!.status = 'succeeded';
    u = await feed.update(reg);
    assert.equal(u.changed, true);
    assert.equal(u.chart.running, null);
  });
});
