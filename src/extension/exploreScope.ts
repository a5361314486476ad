// What an exploration covers, chosen before it starts: every selected sample, the first N (highest
// perplexity first), or samples picked by id, each with an estimate of the time it will take from
// this policy's measured speed (seconds per sample on its last run with the same search settings,
// kept in the extension's global state). A search costs minutes per dozen samples on a CPU, so
// the user sees the cost before paying it.
import * as vscode from 'vscode';
import type { SampleTarget } from '../core/session/calibration';

const SPEED_KEY = 'itool.exploreSpeed';

interface Speed {
  secondsPerSample: number;
  samples: number;
  at: string;
}

/** The policy and the search settings a measured speed holds for. */
export function speedKey(policyId: string, knobs: object): string {
  return `${policyId} ${JSON.stringify(knobs)}`;
}

function speeds(ctx: vscode.ExtensionContext): Record<string, Speed> {
  return ctx.globalState.get<Record<string, Speed>>(SPEED_KEY) ?? {};
}

/** Remember how fast a run went: `samples` searched in this run (resumed ones excluded) in `ms`. */
export async function recordSpeed(ctx: vscode.ExtensionContext, key: string, samples: number, ms: number): Promise<void> {
  if (samples < 1 || !(ms > 0)) return;
  await ctx.globalState.update(SPEED_KEY, { ...speeds(ctx), [key]: { secondsPerSample: ms / 1000 / samples, samples, at: new Date().toISOString() } });
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "about 4 min (16 s a sample, measured …)", or why there is no estimate yet. */
export function estimate(speed: Speed | undefined, n: number): string {
  if (!speed) return 'no speed measured yet for this policy and these search settings: the progress shows the time left once samples finish';
  return `about ${duration(n * speed.secondsPerSample)} (${speed.secondsPerSample.toFixed(1)} s a sample on the last run of this policy)`;
}

type Item = vscode.QuickPickItem & { scope: 'all' | 'first' | 'pick' };

/**
 * Ask what to explore of `targets` (highest perplexity first); undefined when the user cancels.
 * A single target needs no question.
 */
export async function pickExploreScope(ctx: vscode.ExtensionContext, key: string, targets: readonly SampleTarget[]): Promise<SampleTarget[] | undefined> {
  if (targets.length <= 1) return [...targets];
  const speed = speeds(ctx)[key];
  const n = targets.length;
  const items: Item[] = [
    { scope: 'all', label: `All ${n} selected samples`, detail: estimate(speed, n) },
    { scope: 'first', label: 'The first N selected samples…', detail: 'Highest perplexity first: the samples the policy is most deficient on' },
    { scope: 'pick', label: 'Samples picked by id…', detail: 'One sample, or a few, from the selection' },
  ];
  const scope = await vscode.window.showQuickPick(items, { title: 'Explore which samples?', placeHolder: `Explore: ${n} samples are selected` });
  if (!scope) return undefined;
  if (scope.scope === 'all') return [...targets];
  if (scope.scope === 'first') {
    const text = await vscode.window.showInputBox({
      title: 'Explore the first N selected samples',
      value: String(Math.min(n, 10)),
      prompt: `1 to ${n}, highest perplexity first`,
      validateInput: (v) => {
        const k = Number(v.trim());
        if (!(Number.isInteger(k) && k >= 1 && k <= n)) return `a whole number from 1 to ${n}`;
        return { message: estimate(speed, k), severity: vscode.InputBoxValidationSeverity.Info };
      },
    });
    if (text === undefined) return undefined;
    return targets.slice(0, Number(text.trim()));
  }
  const picked = await vscode.window.showQuickPick(
    targets.map((t, k) => ({ label: t.id, description: `record ${t.index + 1}${t.answer !== undefined ? `, answer ${t.answer}` : ''}`, detail: k === 0 ? 'highest perplexity' : undefined, target: t })),
    { title: 'Explore these samples', placeHolder: 'Sample ids (type to filter; Space picks several)', canPickMany: true, matchOnDescription: true },
  );
  if (!picked?.length) return undefined;
  return picked.map((p) => p.target);
}
