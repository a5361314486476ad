// Checker errors in a plain text editor: when a predictions file ({"id", "output"} per line) that
// is linked to a dataset is open as text, each faulty fragment inside an `output` string gets a
// diagnostic in the Problems view with its exact range (its message starts with the kind's name)
// and an underline in the kind's colour (src/core/toolcall/errorKinds.ts, as in the panel).
// Recomputed as the file changes (debounced), in batches that yield, so a large file never
// blocks the extension host; a newer edit cancels the run in progress.
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset/dataset';
import { PredictionJudge, sampleIds } from '../core/toolcall/datasetCheck';
import { parsePredictionLine } from '../core/toolcall/predictions';
import { decodedToRaw, locateStringValue, rawSpan } from '../core/toolcall/jsonSpans';
import { ERROR_KIND_INFO, kindLabel } from '../core/toolcall/errorKinds';
import { ERROR_KINDS, type CheckError, type ErrorKind } from '../core/toolcall/types';
import { errorMessage, log } from './log';
import type { PredictionLinks } from './predictionLinks';

const DEBOUNCE_MS = 400;
const LINES_PER_BATCH = 500;

interface OpenDataset {
  dataset: Dataset;
  judge: PredictionJudge;
}

export class OutputDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('itool');
  private readonly decorations = new Map<ErrorKind, vscode.TextEditorDecorationType>();
  /** Per document: the last computed errors by kind, to redraw decorations when an editor shows it again. */
  private readonly ranges = new Map<string, Map<ErrorKind, vscode.DecorationOptions[]>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly runs = new Map<string, AbortController>();
  private readonly datasets = new Map<string, Promise<OpenDataset>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly links: PredictionLinks) {
    for (const kind of ERROR_KINDS) {
      // The kind's colour for light and for dark themes (high contrast light / dark take the same).
      const { light, dark } = ERROR_KIND_INFO[kind].colour;
      this.decorations.set(
        kind,
        vscode.window.createTextEditorDecorationType({
          borderStyle: 'none none solid none',
          borderWidth: '0 0 2px 0',
          overviewRulerLane: vscode.OverviewRulerLane.Right,
          light: { borderColor: light, overviewRulerColor: light },
          dark: { borderColor: dark, overviewRulerColor: dark },
        }),
      );
    }
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      vscode.window.onDidChangeVisibleTextEditors((eds) => eds.forEach((e) => this.decorate(e))),
      links.onDidChange(() => vscode.workspace.textDocuments.forEach((d) => this.schedule(d, 0))),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (doc.uri.scheme !== 'file' || !/\.jsonl?$/i.test(doc.uri.fsPath)) return;
    const datasetPath = this.links.datasetFor(doc.uri.fsPath);
    if (!datasetPath) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.runs.get(key)?.abort();
    this.timers.set(
      key,
      setTimeout(() => {
        const ctl = new AbortController();
        this.runs.set(key, ctl);
        this.compute(doc, datasetPath, ctl.signal).catch((err) => {
          // The dataset may have changed on disk: reopen it on the next run.
          this.forgetDataset(datasetPath);
          if (!ctl.signal.aborted) log().error(`checking ${doc.uri.fsPath}: ${errorMessage(err)}`);
        });
      }, delay),
    );
  }

  private openDataset(path: string): Promise<OpenDataset> {
    let p = this.datasets.get(path);
    if (!p) {
      p = (async () => {
        const dataset = await Dataset.open(path);
        return { dataset, judge: new PredictionJudge(dataset, await sampleIds(dataset)) };
      })();
      p.catch(() => this.datasets.delete(path));
      this.datasets.set(path, p);
    }
    return p;
  }

  private forgetDataset(path: string): void {
    const p = this.datasets.get(path);
    this.datasets.delete(path);
    void p?.then((d) => d.dataset.close(), () => undefined);
  }

  private async compute(doc: vscode.TextDocument, datasetPath: string, signal: AbortSignal): Promise<void> {
    const ds = await this.openDataset(datasetPath);
    const version = doc.version;
    const diagnostics: vscode.Diagnostic[] = [];
    const byKind = new Map<ErrorKind, vscode.DecorationOptions[]>();
    for (let line = 0; line < doc.lineCount; line++) {
      if (line % LINES_PER_BATCH === LINES_PER_BATCH - 1) {
        await new Promise((r) => setImmediate(r));
        if (signal.aborted || doc.isClosed || doc.version !== version) return;
      }
      const text = doc.lineAt(line).text;
      if (!text.trim()) continue;
      const row = parsePredictionLine(text, line + 1);
      if (!row.ok) {
        diagnostics.push(diag(new vscode.Range(line, 0, line, text.length), row.reason, vscode.DiagnosticSeverity.Warning));
        continue;
      }
      const literal = locateStringValue(text, row.field);
      const whole = literal ? new vscode.Range(line, literal.start, line, literal.end) : new vscode.Range(line, 0, line, text.length);
      const judged = await ds.judge.judge(row);
      if (!judged.verdict) {
        diagnostics.push(diag(whole, judged.problem ?? 'not judged', vscode.DiagnosticSeverity.Warning));
        continue;
      }
      const verdict = judged.verdict;
      const map = literal ? decodedToRaw(text, literal.start, literal.end) : undefined;
      for (const e of verdict.errors) {
        const range = e.span && map ? columns(line, rawSpan(map, e.span)) : whole;
        diagnostics.push(diag(range, message(e), vscode.DiagnosticSeverity.Error, e.kind));
        const list = byKind.get(e.kind) ?? [];
        list.push({ range, hoverMessage: new vscode.MarkdownString().appendText(message(e)) });
        byKind.set(e.kind, list);
      }
    }
    if (signal.aborted || doc.isClosed || doc.version !== version) return;
    this.collection.set(doc.uri, diagnostics);
    this.ranges.set(doc.uri.toString(), byKind);
    for (const ed of vscode.window.visibleTextEditors) if (ed.document === doc) this.decorate(ed);
  }

  private decorate(editor: vscode.TextEditor): void {
    const byKind = this.ranges.get(editor.document.uri.toString());
    if (!byKind) return;
    for (const [kind, type] of this.decorations) editor.setDecorations(type, byKind.get(kind) ?? []);
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.runs.get(key)?.abort();
    this.collection.delete(uri);
    this.ranges.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const r of this.runs.values()) r.abort();
    for (const d of this.decorations.values()) d.dispose();
    for (const d of this.disposables) d.dispose();
    for (const p of this.datasets.values()) void p.then((d) => d.dataset.close(), () => undefined);
  }
}

function columns(line: number, span: { start: number; end: number }): vscode.Range {
  // A zero-width span (a parse error's break point) still needs one visible character.
  return new vscode.Range(line, span.start, line, Math.max(span.end, span.start + 1));
}

function message(e: CheckError): string {
  const expected = e.expected === undefined ? '' : ` (expected ${JSON.stringify(e.expected)})`;
  return `${kindLabel(e.kind)}: ${e.message}${e.message.includes('expected') ? '' : expected}`;
}

function diag(range: vscode.Range, text: string, severity: vscode.DiagnosticSeverity, code?: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, text, severity);
  d.source = 'iTool checker';
  if (code) d.code = code;
  return d;
}
