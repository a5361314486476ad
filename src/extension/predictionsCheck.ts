// Checking a predictions file against a dataset session, from the panel's button, `iTool: Load
// Predictions` or a generation just finished: the verdicts go to the session (every panel of the
// dataset shows them), the file is remembered as the dataset's predictions, failures are said.
import * as vscode from 'vscode';
import type { DatasetSession } from '../core/session/session';
import { errorMessage, log } from './log';
import type { PredictionLinks } from './predictionLinks';

/** Check `file` against the session's dataset; resolves whether its verdicts are now held. */
export async function checkPredictionsFile(session: DatasetSession, file: string, links: PredictionLinks): Promise<boolean> {
  try {
    const summary = await session.checkPredictions(file);
    await links.link(session.path, file);
    log().info(`${session.path}: checked ${summary.checked} output(s) from ${file}, ${summary.valid} valid`);
    return true;
  } catch (err) {
    // A newer check replaced this one: that one reports.
    if (err instanceof Error && err.name === 'AbortError') return false;
    log().error(`checking ${file} failed: ${errorMessage(err)}`);
    void vscode.window.showErrorMessage(`iTool: could not check predictions ${file}: ${errorMessage(err)}`);
    return false;
  }
}

/** Ask for a predictions file and check it; resolves whether verdicts are loaded. */
export async function pickAndCheckPredictions(session: DatasetSession, links: PredictionLinks): Promise<boolean> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Check Predictions',
    title: 'Predictions file ({"id", "output"} per line) to check against this dataset',
    filters: { 'Predictions (JSON Lines)': ['jsonl', 'json'] },
  });
  if (!picked?.[0]) return false;
  return checkPredictionsFile(session, picked[0].fsPath, links);
}
