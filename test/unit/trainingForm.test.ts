// The start-round form's settings (src/core/rounds/trainingForm.ts, roundExport.ts): the defaults
// each backend trains each objective with (the export's, the local trainer's), the one validation
// of what is typed, and — read back from the files the trainers read — that the settings chosen
// are the ones the export writes for LLaMA-Factory, TRL, OpenAI and the local trainer, and that
// the round records them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { AUTHORS_SIMPO, DEFAULT_BETA } from '../../src/core/pairs/export/options';
import { LOCAL_PREF_DEFAULTS } from '../../src/core/rounds/localExport';
import { readRegistry } from '../../src/core/rounds/registry';
import { allTrainingDefaults, exportRound, resolveTraining, trainingDefaults } from '../../src/core/rounds/roundExport';
import { trainedPairs, type TrainedPairs } from '../../src/core/rounds/trainedPairs';
import { checkTraining, formatNumber, formValues, trainingText, type TrainingFormValues } from '../../src/core/rounds/trainingForm';
import { tempDirs } from '../support/tempDirs';
import { reviewedDataset, ROOT, type ReviewedDataset } from './roundFixture';

const tmp = tempDirs();
const DEMO_MODEL = join(ROOT, 'demo', 'models', 'itool-tiny');
const defaults = allTrainingDefaults();
const form = (v: Partial<TrainingFormValues> = {}): TrainingFormValues => ({ ...formValues('llamafactory', 'simpo', trainingDefaults('llamafactory', 'simpo')), ...v });

describe('the defaults the form opens with', () => {
  it('LLaMA-Factory and TRL: the export’s (the SimPO authors’ run; β 0.1 for the DPO family)', () => {
    for (const b of ['llamafactory', 'trl'] as const) {
      const d = trainingDefaults(b, 'simpo');
      assert.deepEqual([d.beta, d.gamma, d.learningRate, d.epochs], [AUTHORS_SIMPO.beta, AUTHORS_SIMPO.simpoGamma, AUTHORS_SIMPO.learningRate, AUTHORS_SIMPO.epochs]);
      const dpo = trainingDefaults(b, 'sigmoid');
      assert.deepEqual([dpo.beta, dpo.gamma, dpo.learningRate], [DEFAULT_BETA.sigmoid, null, AUTHORS_SIMPO.learningRate], 'no γ outside SimPO');
    }
  });

  it('OpenAI: DPO only, no learning rate (the service picks it); local: the project trainer’s own', () => {
    assert.deepEqual(Object.keys(defaults.openai), ['sigmoid']);
    assert.equal(defaults.openai.sigmoid?.learningRate, null);
    assert.deepEqual(Object.keys(defaults.local), ['simpo', 'sigmoid']);
    const l = defaults.local.simpo!;
    assert.deepEqual([l.beta, l.gamma, l.learningRate, l.epochs], [LOCAL_PREF_DEFAULTS.beta, LOCAL_PREF_DEFAULTS.gamma, LOCAL_PREF_DEFAULTS.learning_rate, LOCAL_PREF_DEFAULTS.epochs]);
    assert.equal(defaults.local.sigmoid?.beta, 0.1);
  });

  it('numbers as the form writes them: 1e-6, not 0.000001', () => {
    assert.deepEqual(form(), { backend: 'llamafactory', objective: 'simpo', beta: '2.5', gamma: '0.5', learningRate: '1e-6', epochs: '2' });
    assert.equal(formatNumber(1.5e-5), '1.5e-5');
    assert.equal(formatNumber(0.01), '0.01');
  });
});

describe('what the form accepts', () => {
  it('the defaults, and the settings they make', () => {
    const c = checkTraining(form(), defaults);
    assert.deepEqual(c.errors, {});
    assert.deepEqual(c.training, { objective: 'simpo', beta: 2.5, gamma: 0.5, learningRate: 1e-6, epochs: 2 });
    assert.equal(trainingText(c.training!), 'SimPO · β 2.5 · γ 0.5 · lr 1e-6 · 2 epochs');
  });

  it('β > 0, γ ≥ 0, 0 < rate < 1, epochs whole ≥ 1: each wrong field named with what would do', () => {
    const errors = (v: Partial<TrainingFormValues>) => checkTraining(form(v), defaults).errors;
    assert.match(errors({ beta: '0' }).beta!, /β must be a number greater than 0 \(SimPO's default is 2\.5\)/);
    assert.ok(errors({ beta: '-1' }).beta);
    assert.ok(errors({ beta: '' }).beta);
    assert.ok(errors({ beta: '0x10' }).beta, 'only decimal numbers');
    assert.ok(errors({ beta: 'Infinity' }).beta);
    assert.deepEqual(errors({ gamma: '0' }), {}, 'γ may be 0');
    assert.match(errors({ gamma: '-0.1' }).gamma!, /γ must be a number of 0 or more/);
    assert.match(errors({ learningRate: '1' }).learningRate!, /between 0 and 1, both excluded, e\.g\. 1e-6/);
    assert.ok(errors({ learningRate: '0' }).learningRate);
    assert.deepEqual(errors({ learningRate: '5e-7' }), {});
    assert.match(errors({ epochs: '1.5' }).epochs!, /whole number, 1 or more/);
    assert.ok(errors({ epochs: '0' }).epochs);
    assert.deepEqual(errors({ epochs: '3' }), {});
    const all = checkTraining(form({ beta: 'x', gamma: '-1', learningRate: '2', epochs: '0' }), defaults);
    assert.deepEqual(Object.keys(all.errors).sort(), ['beta', 'epochs', 'gamma', 'learningRate']);
    assert.equal(all.training, undefined);
  });

  it('an objective the backend does not train is refused; a field the objective has not is ignored', () => {
    assert.match(checkTraining(form({ backend: 'openai', objective: 'simpo' }), defaults).errors.objective!, /SimPO is not an objective openai trains \(it trains DPO \(sigmoid\)\)/);
    assert.match(checkTraining(form({ backend: 'nope' }), defaults).errors.backend!, /unknown trainer backend "nope"/);
    const dpo = checkTraining(form({ objective: 'sigmoid', beta: '0.2', gamma: '' }), defaults);
    assert.deepEqual(dpo.training, { objective: 'sigmoid', beta: 0.2, learningRate: 1e-6, epochs: 2 });
    const openai = checkTraining(form({ backend: 'openai', objective: 'sigmoid', beta: '0.1', gamma: '', learningRate: '' }), defaults);
    assert.deepEqual(openai.training, { objective: 'sigmoid', beta: 0.1, epochs: 2 });
  });

  it('the settings a round resolves to: the given over the backend’s defaults', () => {
    assert.deepEqual(resolveTraining('llamafactory', {}), { objective: 'simpo', beta: 2.5, gamma: 0.5, learningRate: 1e-6, epochs: 2 });
    assert.deepEqual(resolveTraining('trl', { prefLoss: 'orpo', training: { epochs: 3 } }), { objective: 'orpo', beta: 0.1, learningRate: 1e-6, epochs: 3 });
    assert.deepEqual(resolveTraining('openai', { prefLoss: 'simpo' }), { objective: 'sigmoid', beta: 0.1, epochs: 2 }, 'OpenAI trains DPO');
    assert.throws(() => resolveTraining('local', { training: { objective: 'orpo' } }), /local does not train orpo/);
  });
});

describe('the settings chosen are the ones the trainers read', () => {
  let f: ReviewedDataset;
  let trained: TrainedPairs;
  before(async () => {
    f = await reviewedDataset(tmp('itool-training-form-'));
    trained = await trainedPairs(f.dataset);
  });
  const policy = { id: 'p', label: 'p' };
  const training = { objective: 'simpo' as const, beta: 2, gamma: 0.3, learningRate: 5e-7, epochs: 8 };

  it('LLaMA-Factory: pref_loss, pref_beta, simpo_gamma, learning_rate, num_train_epochs in the YAML; recorded with the round', async () => {
    const exp = await exportRound(f.dataset, trained, { backend: 'llamafactory', round: 1, policy, settings: { baseModel: 'Qwen/Qwen2.5-0.5B-Instruct', training } });
    const yaml = parseYaml(readFileSync(exp.files.find((x) => x.endsWith('.yaml'))!, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([yaml.pref_loss, yaml.pref_beta, yaml.simpo_gamma, yaml.learning_rate, yaml.num_train_epochs], ['simpo', 2, 0.3, 5e-7, 8]);
    assert.deepEqual(exp.training, training);
    assert.deepEqual((await readRegistry(f.dataset)).rounds.find((r) => r.round === 1)?.export?.training, training);
  });

  it('TRL: the trainer’s config; DPO without γ', async () => {
    const exp = await exportRound(f.dataset, trained, { backend: 'trl', round: 2, policy, settings: { baseModel: 'm', training: { objective: 'sigmoid', beta: 0.25, learningRate: 2e-6, epochs: 3 } } });
    const cfg = parseYaml(readFileSync(exp.files.find((x) => /\.ya?ml$/.test(x))!, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([cfg.loss_type, cfg.beta, cfg.learning_rate, cfg.num_train_epochs, cfg.simpo_gamma], ['sigmoid', 0.25, 2e-6, 3, undefined]);
  });

  it('OpenAI: the job file’s DPO β and n_epochs', async () => {
    const exp = await exportRound(f.dataset, trained, { backend: 'openai', round: 3, policy, settings: { baseModel: 'gpt-4o-mini', training: { objective: 'sigmoid', beta: 0.3, epochs: 4 } } });
    const job = JSON.parse(readFileSync(exp.files.find((x) => x.endsWith('.job.json'))!, 'utf8')) as { create: { method: unknown } };
    assert.deepEqual(job.create.method, { type: 'dpo', dpo: { hyperparameters: { beta: 0.3, n_epochs: 4 } } });
    assert.deepEqual(exp.training, { objective: 'sigmoid', beta: 0.3, epochs: 4 });
  });

  it('the local trainer: its pref.json (DPO is its `dpo` loss)', async () => {
    const exp = await exportRound(f.dataset, trained, { backend: 'local', round: 4, policy, settings: { local: { modelDir: DEMO_MODEL }, training: { objective: 'sigmoid', beta: 0.2, learningRate: 3e-5, epochs: 5 } } });
    const cfg = JSON.parse(readFileSync(exp.files.find((x) => x.endsWith('pref.json'))!, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([cfg.loss, cfg.beta, cfg.learning_rate, cfg.epochs], ['dpo', 0.2, 3e-5, 5]);
    // Nothing given: the trainer's own defaults, written out.
    const plain = await exportRound(f.dataset, trained, { backend: 'local', round: 5, policy, settings: { local: { modelDir: DEMO_MODEL } } });
    const cfg2 = JSON.parse(readFileSync(plain.files.find((x) => x.endsWith('pref.json'))!, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([cfg2.loss, cfg2.beta, cfg2.gamma, cfg2.learning_rate, cfg2.epochs], ['simpo', 2.5, 0.5, 1e-5, 2]);
  });
});
