// Which predictions file belongs to which dataset. A link is made when the user loads predictions
// into a dataset panel, remembered per workspace, and found without asking for the usual sidecar
// names beside the dataset. The text-editor diagnostics use the same links in reverse.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';

const KEY = 'itool.predictionLinks';

export class PredictionLinks {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, string> {
    return this.memento.get<Record<string, string>>(KEY, {});
  }

  /** The predictions file for a dataset: the remembered link, else a sidecar found beside it. */
  predictionsFor(datasetPath: string): string | undefined {
    const linked = this.all()[datasetPath];
    if (linked && existsSync(linked)) return linked;
    return sidecarCandidates(datasetPath).find((p) => existsSync(p));
  }

  /** The dataset a predictions file is linked to (remembered or by sidecar name). */
  datasetFor(predictionsPath: string): string | undefined {
    for (const [dataset, preds] of Object.entries(this.all())) if (preds === predictionsPath && existsSync(dataset)) return dataset;
    return datasetCandidates(predictionsPath).find((p) => existsSync(p));
  }

  async link(datasetPath: string, predictionsPath: string): Promise<void> {
    await this.memento.update(KEY, { ...this.all(), [datasetPath]: predictionsPath });
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** `data.jsonl` → `data.predictions.jsonl`; BFCL's `BFCL_v4_x.json` → `BFCL_v4_x_result.json`. */
function sidecarCandidates(datasetPath: string): string[] {
  const dir = dirname(datasetPath);
  const ext = extname(datasetPath);
  const stem = basename(datasetPath, ext);
  return [join(dir, `${stem}.predictions.jsonl`), join(dir, `${stem}_result${ext}`), join(dir, `${stem}_result.jsonl`)];
}

function datasetCandidates(predictionsPath: string): string[] {
  const dir = dirname(predictionsPath);
  const name = basename(predictionsPath);
  const out: string[] = [];
  let m = /^(.*)\.predictions\.jsonl$/.exec(name);
  if (m) out.push(join(dir, `${m[1]}.jsonl`), join(dir, `${m[1]}.json`));
  m = /^(.*)_result(\.jsonl?|\.json)$/.exec(name);
  if (m) out.push(join(dir, `${m[1]}.json`), join(dir, `${m[1]}.jsonl`));
  return out;
}
