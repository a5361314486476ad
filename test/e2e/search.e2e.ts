// The search made visible, in a real VS Code: a sample's MCTS tree (nodes by fragment, best path
// marked, click → prefix) and its preference pairs as fragment diffs. Two sources: trees the real
// engine built with a scripted stand-in policy (its answers are fixed, so the test knows the tree),
// journaled beside the dataset before the window opens; and a run of calibrate → select →
// `Explore…` from the panel with the committed demo model (what `npm start` configures), end to
// end through the commands.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExploreResult } from '../../src/core/search/explore';
import { demoCopyWithSearch } from '../support/scriptedPolicy';
import { ROOT, openDataset, runCommand, screenshot, startSession, webview, type Session } from './codeServer';

const DATASET = 'datasets/bfcl/BFCL_v4_simple_python.json';

describe('search in code-server', { timeout: 300_000 }, () => {
  let s: Session;
  let run: ExploreResult;
  before(async () => {
    const { copy, run: searched } = await demoCopyWithSearch(ROOT, DATASET, 'itool-search-');
    run = searched;
    assert.ok(run.pairs.length > 0, 'the scripted search finds pairs');
    const modelDir = join(ROOT, 'demo', 'models', 'itool-tiny');
    s = await startSession({
      workspaceFrom: copy,
      settings: { 'itool.policy.onnx.modelDir': modelDir, 'itool.search.iterations': 2, 'itool.search.maxNewTokens': 12, 'itool.calibration.ratio': 0.05 },
    });
  });
  after(async () => {
    await s?.close();
  });

  it('shows the tree and the pairs of a searched sample', async () => {
    await openDataset(s.page, DATASET);
    const wv = webview(s.page);
    await wv.locator('.count[data-count="40"]').waitFor({ timeout: 60_000 });
    const entry = run.entries.find((e) => e.index === 0)!;
    await wv.locator('#row-0').click();
    const box = wv.locator('.detail .search');
    await box.waitFor({ timeout: 30_000 });
    assert.equal(await box.getAttribute('data-nodes'), String(entry.tree.nodes.length));
    assert.equal(await wv.locator('.detail .search .node').count(), entry.tree.nodes.length);
    assert.equal(await wv.locator('.detail .search .node.best').count(), entry.tree.bestPath.length);
    // Click the deepest node of the best path: the prefix box shows its whole response prefix.
    const leaf = entry.tree.bestPath.at(-1)!;
    await wv.locator(`.detail .search .node[data-node="${leaf}"]`).click();
    const expected = entry.tree.bestPath.slice(1).map((id) => entry.tree.nodes[id].text).join('');
    assert.equal(await wv.locator('.detail .node-prefix').textContent(), expected);
    // Pairs as fragment diffs.
    assert.equal(await wv.locator('.detail .pair').count(), entry.pairs.length);
    const p = entry.pairs[0];
    assert.equal(await wv.locator('.detail .pair').first().locator('mark.pair-fragment.chosen').textContent(), p.chosen.fragment);
    assert.equal(await wv.locator('.detail .pair').first().locator('mark.pair-fragment.rejected').textContent(), p.rejected.fragment);
    await wv.locator('.detail .search-section').scrollIntoViewIfNeeded();
    await screenshot(s.page, 'search-tree-and-pairs');
  });

  it('runs calibrate → select → explore from the panel with the demo model', async () => {
    const wv = webview(s.page);
    await wv.locator('.ui-button.calibrate-button').click();
    await wv.locator('.summary.calibration[data-scored="40"]').waitFor({ timeout: 120_000 });
    await wv.locator('.ui-button.select-button').click();
    await wv.locator('.summary.calibration[data-selected="2"]').waitFor({ timeout: 30_000 });
    await wv.locator('.ui-button.explore-button').click();
    // What to explore is asked first, with an estimate: all the selected samples.
    await s.page.locator('.quick-input-list .monaco-list-row', { hasText: 'All 2 selected samples' }).first().click();
    await wv.locator('.status', { hasText: 'from 2 sample(s)' }).waitFor({ timeout: 120_000 });
    // The first selected sample now has a tree from this run.
    await wv.locator('.ui-select.filter').click();
    await wv.locator('.ui-select.filter [role="option"]', { hasText: 'Selected as deficient' }).click();
    await wv.locator('.count[data-count="2"]').waitFor({ timeout: 30_000 });
    await wv.locator('#row-0').click();
    const box = wv.locator('.detail .search');
    await box.waitFor({ timeout: 30_000 });
    assert.ok(Number(await box.getAttribute('data-nodes')) > 1);
    assert.match((await wv.locator('.detail .search .meta').textContent()) ?? '', /ONNX/);
  });

  it('generates the policy’s own outputs for the selected samples and checks them', async () => {
    const wv = webview(s.page);
    await runCommand(s.page, 'iTool: Generate Outputs with the Policy');
    const summary = wv.locator('.summary.checker[data-checked="2"]');
    await summary.waitFor({ timeout: 120_000 });
    await wv.locator('#row-0 .cell.check[data-kinds]').waitFor({ timeout: 30_000 });
    await wv.locator('#row-0').click();
    await wv.locator('.detail .verdict').first().waitFor({ timeout: 30_000 });
  });
});
