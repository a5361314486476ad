// `iTool: Mark Fragment Error` and `iTool: Review Preference Pairs`. A fragment is marked from the
// panel (text selected in a response, M) or from a text editor: a selection inside the output of a
// predictions file linked to a dataset, or inside a string of a dataset's JSON Lines record. The
// selection's raw columns are turned into offsets of the decoded response (through every JSON
// escape), so the annotation points at exactly the characters the user selected.
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset/dataset';
import type { AnnotationInput } from '../core/pairs/reviewEntries';
import { ReviewJournal } from '../core/pairs/reviewJournal';
import { sampleIds } from '../core/toolcall/datasetCheck';
import { decodedToRaw, locateStringValue, rawToDecoded, stringLiteralAt } from '../core/toolcall/jsonSpans';
import { parsePredictionLine } from '../core/toolcall/predictions';
import { ERROR_KIND_INFO } from '../core/toolcall/errorKinds';
import { ERROR_KINDS, type ErrorKind } from '../core/toolcall/types';
import { clipText, snapSpan } from '../core/chars';
import type { DatasetSession } from '../core/session/session';
import type { FragmentSource } from '../../webview/panel/protocol';
import { DatasetEditorProvider } from './datasetEditor';
import { errorMessage, log } from './log';
import type { PredictionLinks } from './predictionLinks';
import { datasetFor, openSessionFor } from './sessions';

/** What the user marked: a span of one response of one sample. */
interface Target {
  datasetPath: string;
  index: number;
  sampleId: string;
  source: FragmentSource | 'text';
  text: string;
  start: number;
  end: number;
  file?: string;
}

export interface PanelMark {
  index: number;
  source: FragmentSource;
  text: string;
  start: number;
  end: number;
  pairId?: string;
  /** Given by the panel's own mark form (kind, a multi-line correction, a note): nothing is asked. */
  kind?: ErrorKind;
  correction?: string;
  note?: string;
}

/** Open `path` for a moment unless a session (a panel, a running command) already holds it. */
async function withDataset<T>(path: string, fn: (ds: Dataset) => Promise<T>): Promise<T> {
  const session = await openSessionFor(path);
  if (session) return fn(session.dataset);
  const ds = await Dataset.open(path);
  try {
    return await fn(ds);
  } finally {
    await ds.close();
  }
}

async function fromPanel(m: PanelMark, session: DatasetSession): Promise<Target> {
  const r = await session.dataset.sample(m.index);
  if (!r.ok) throw new Error(`record ${m.index + 1} cannot be read: ${r.reason}`);
  return { datasetPath: session.path, index: m.index, sampleId: r.sample.id, source: m.source, text: m.text, start: m.start, end: m.end };
}

async function fromEditor(editor: vscode.TextEditor, links: PredictionLinks): Promise<Target> {
  const sel = editor.selection;
  if (sel.isEmpty) throw new Error('select the faulty fragment first');
  if (sel.start.line !== sel.end.line) throw new Error('select a fragment within one line (one record)');
  const file = editor.document.uri.fsPath;
  const lineText = editor.document.lineAt(sel.start.line).text;
  const offsets = (literal: { start: number; end: number }) => {
    if (sel.start.character <= literal.start || sel.end.character >= literal.end) throw new Error('select text inside one string (the response), not across its quotes');
    const map = decodedToRaw(lineText, literal.start, literal.end);
    return { start: rawToDecoded(map, sel.start.character), end: rawToDecoded(map, sel.end.character) };
  };
  const datasetPath = links.datasetFor(file);
  if (datasetPath) {
    // A predictions file: the response is the row's output, the sample the one with its id.
    const row = parsePredictionLine(lineText, sel.start.line + 1);
    if (!row.ok) throw new Error(`line ${sel.start.line + 1}: ${row.reason}`);
    const literal = locateStringValue(lineText, row.field);
    if (!literal) throw new Error(`line ${sel.start.line + 1}: the ${row.field} is not a JSON string`);
    const { start, end } = offsets(literal);
    const index = await withDataset(datasetPath, async (ds) => (await sampleIds(ds)).get(row.id)?.index);
    if (index === undefined) throw new Error(`no sample with id ${JSON.stringify(row.id)} in ${datasetPath}`);
    return { datasetPath, index, sampleId: row.id, source: 'prediction', text: row.output, start, end, file };
  }
  // A dataset file: the response is the string literal the selection is in.
  return withDataset(file, async (ds) => {
    if (ds.index.container !== 'jsonl') throw new Error('marking in the text editor works on JSON Lines files; use the dataset panel for JSON arrays');
    const index = ds.index.indexOfLine(sel.start.line + 1);
    if (index < 0) throw new Error(`line ${sel.start.line + 1} is not a record of ${file}`);
    const literal = stringLiteralAt(lineText, sel.start.character);
    if (!literal) throw new Error('select text inside a string of the record (a response)');
    const text = JSON.parse(lineText.slice(literal.start, literal.end)) as string;
    const { start, end } = offsets(literal);
    const r = await ds.sample(index);
    if (!r.ok) throw new Error(`record ${index + 1} cannot be read: ${r.reason}`);
    const ref = r.sample.referenceIndex >= 0 ? r.sample.turns[r.sample.referenceIndex] : undefined;
    return { datasetPath: file, index, sampleId: r.sample.id, source: ref?.content === text ? 'reference' : 'text', text, start, end, file };
  });
}

/** Ask the kind, a correction and a note; undefined when the user cancels. */
async function askDetails(t: Target): Promise<Pick<AnnotationInput, 'kind' | 'correction' | 'note'> | undefined> {
  const fragment = t.text.slice(t.start, t.end);
  const picked = await vscode.window.showQuickPick(
    ERROR_KINDS.map((k) => ({ label: ERROR_KIND_INFO[k].label, description: `${ERROR_KIND_INFO[k].description} (${k})`, errorKind: k })),
    { title: `Mark “${clipText(fragment, 60)}” (sample ${t.sampleId}) as`, placeHolder: 'Error kind (the checker’s taxonomy)' },
  );
  if (!picked) return undefined;
  // An input box holds one line: a fragment's line breaks are shown as \n and read back as breaks
  // (unless the fragment already holds a literal backslash-n, which must stay as it is).
  const escapes = fragment.includes('\n') && !fragment.includes('\\n');
  const shown = escapes ? fragment.replace(/\n/g, '\\n') : fragment;
  const typed = await vscode.window.showInputBox({
    title: 'Correction (optional)',
    prompt: `What the fragment should be.${escapes ? ' Line breaks are written \\n.' : ''} With a correction the mark becomes a preference pair in the review queue; leave empty for a note only.`,
    value: shown,
    valueSelection: [0, shown.length],
  });
  if (typed === undefined) return undefined;
  const correction = escapes ? typed.replace(/\\n/g, '\n') : typed;
  const note = await vscode.window.showInputBox({ title: 'Note (optional)', prompt: 'Why it is wrong, for the next reviewer' });
  if (note === undefined) return undefined;
  const out: Pick<AnnotationInput, 'kind' | 'correction' | 'note'> = { kind: picked.errorKind };
  if (correction !== fragment) out.correction = correction;
  if (note.trim()) out.note = note.trim();
  return out;
}

/** The details the panel's mark form gave; a correction equal to the fragment is no correction. */
function panelDetails(t: Target, m: PanelMark): Pick<AnnotationInput, 'kind' | 'correction' | 'note'> {
  const out: Pick<AnnotationInput, 'kind' | 'correction' | 'note'> = { kind: m.kind! };
  if (m.correction !== undefined && m.correction !== t.text.slice(t.start, t.end)) out.correction = m.correction;
  if (m.note?.trim()) out.note = m.note.trim();
  return out;
}

/**
 * Resolves true when an annotation was written. `arg.fromPanel`: the mark a dataset panel made on
 * its session; without it, the selection in the active text editor.
 */
export async function markFragmentErrorCommand(links: PredictionLinks, arg?: { fromPanel?: PanelMark; session?: DatasetSession }): Promise<boolean> {
  let target: Target;
  try {
    if (arg?.fromPanel && arg.session) target = await fromPanel(arg.fromPanel, arg.session);
    else {
      const editor = vscode.window.activeTextEditor;
      if (!editor) throw new Error('select a fragment in a response (dataset panel: select text and press M; text editor: select inside a predictions output or a record string)');
      target = await fromEditor(editor, links);
    }
    if (!(target.end > target.start)) throw new Error('the selection is empty');
    // Whole characters only: a selection's end inside a surrogate pair (an emoji) takes all of it.
    Object.assign(target, snapSpan(target.text, target.start, target.end));
  } catch (err) {
    void vscode.window.showWarningMessage(`iTool: cannot mark a fragment: ${errorMessage(err)}`);
    return false;
  }
  const given = arg?.fromPanel?.kind !== undefined ? panelDetails(target, arg.fromPanel) : undefined;
  const details = given ?? (await askDetails(target));
  if (!details) return false;
  const input: AnnotationInput = { sampleId: target.sampleId, index: target.index, source: target.source, text: target.text, start: target.start, end: target.end, ...details };
  if (target.file) input.file = target.file;
  try {
    // Through the dataset's session when one is open, so its undo stack and every view follow.
    const session = arg?.session ?? (await openSessionFor(target.datasetPath));
    if (session) await session.annotate(input, arg?.fromPanel?.pairId);
    else {
      const journal = await ReviewJournal.open(target.datasetPath);
      try {
        await journal.annotate(input);
      } finally {
        await journal.close();
      }
    }
  } catch (err) {
    void vscode.window.showErrorMessage(`iTool: could not record the mark: ${errorMessage(err)}`);
    return false;
  }
  log().info(`marked ${details.kind} in sample ${target.sampleId} [${target.start}, ${target.end})${details.correction !== undefined ? ' with a correction' : ''}`);
  void vscode.window.showInformationMessage(
    details.correction !== undefined ? `iTool: marked as ${details.kind}; the correction is a pair in the review queue.` : `iTool: marked as ${details.kind}.`,
  );
  return true;
}

/** Bring the dataset's panel (opened if it is closed) to the review tab. */
export async function reviewPairsCommand(uri?: unknown): Promise<void> {
  const path = await datasetFor('review the pairs of', uri);
  if (!path) return;
  if (!DatasetEditorProvider.panelFor(path)) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path), DatasetEditorProvider.viewType);
  const panel = DatasetEditorProvider.panelFor(path);
  if (!panel) {
    void vscode.window.showErrorMessage(`iTool: could not open ${path} to review its pairs (see the log).`);
    return;
  }
  panel.showReview();
}
