// "Scored as" in the dataset panel's detail view: what calibration and search will score for the
// selected sample (the prompt the configured policy's chat template renders, and the response whose
// tokens are scored), from the chat template alone, so a user sees it before spending a GPU-hour.
// Goes through core's scoredAs, the function `itool render` prints and calibration itself uses.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Dataset } from '../core/dataset/dataset';
import type { FormatId } from '../core/dataset/sample';
import type { ChatTemplateSource } from '../core/model/chatTemplate';
import type { Renderer } from '../core/model/prompt';
import { callRenderingFor } from '../core/model/callRendering';
import { loadRenderer, scoredAs } from '../core/calibrate/scoredAs';
import type { ScoredAsView } from '../../webview/panel/protocol';
import type { SessionCalibration } from '../core/session/calibration';
import { callRenderingSetting, configuredChatTemplate } from './policyConfig';
import { errorMessage } from './log';

/** Short format names for "calls rendered as text (auto: ToolACE format)". */
const FORMAT_NAMES: Record<FormatId, string> = {
  toolace: 'ToolACE',
  llamafactory: 'LLaMA-Factory',
  llamafactory_v1: 'LLaMA-Factory messages',
  hermes: 'Hermes',
  glaive: 'Glaive',
  openai: 'OpenAI',
  xlam: 'xLAM',
  bfcl: 'BFCL',
};

export class PanelScoredAs {
  /** The template last loaded, keyed by its source and the times its files were written. */
  private cached: { key: string; renderer: Promise<Renderer> } | undefined;

  constructor(
    private readonly dataset: Dataset,
    private readonly calibration: SessionCalibration,
  ) {}

  /** Settings changed: load the template again next time. */
  invalidate(): void {
    this.cached = undefined;
  }

  async view(index: number): Promise<ScoredAsView> {
    const setting = callRenderingSetting();
    const r = await this.dataset.sample(index);
    const format = r.ok ? r.sample.format : this.dataset.format.id;
    const base: ScoredAsView = { setting, calls: callRenderingFor(format, setting), formatName: FORMAT_NAMES[format] ?? format };
    // The latest calibration's word on this sample: why it skipped it (a refused run is newer than
    // the results shown), else the tokens it scored.
    const skip = this.calibration.skip(index);
    const entry = this.calibration.entry(index);
    const header = this.calibration.header;
    if (skip) base.skipped = { kind: skip.kind, reason: skip.reason };
    else if (entry && header) base.calibrated = { tokens: entry.tokens, ppl: entry.ppl, model: header.modelLabel, round: header.round, calls: header.calls ?? 'auto' };
    if (!r.ok) return { ...base, error: r.reason, kind: 'unreadable' };
    const template = configuredChatTemplate();
    if ('missing' in template) return { ...base, missing: template.missing };
    base.source = template.label;
    let renderer: Renderer;
    try {
      renderer = await this.renderer(template.source);
    } catch (err) {
      // No template to render with: calibration cannot start either (it stops with this error).
      return { ...base, error: errorMessage(err), kind: 'no-template' };
    }
    try {
      const s = await scoredAs(renderer, r.sample, setting);
      return 'error' in s ? { ...base, calls: s.calls, error: s.error, kind: s.kind } : { ...base, calls: s.calls, prompt: s.prompt, response: s.response };
    } catch (err) {
      return { ...base, error: errorMessage(err), kind: 'error' };
    }
  }

  private async renderer(source: ChatTemplateSource): Promise<Renderer> {
    const key = await sourceKey(source);
    if (this.cached?.key !== key) {
      const renderer = loadRenderer(source);
      this.cached = { key, renderer };
      // A failed load is not kept: the next selection tries again (the user may be fixing the file).
      renderer.catch(() => {
        if (this.cached?.renderer === renderer) this.cached = undefined;
      });
    }
    return this.cached.renderer;
  }
}

/** The source and the modification times of the files a template may be read from (edits show at once). */
async function sourceKey(source: ChatTemplateSource): Promise<string> {
  if (!('path' in source)) return JSON.stringify(source);
  const files = [source.path, join(source.path, 'tokenizer_config.json'), join(source.path, 'chat_template.jinja'), join(dirname(source.path), 'tokenizer_config.json')];
  const times = await Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs, () => 0)));
  return JSON.stringify([source.path, ...times]);
}
