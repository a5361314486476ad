// Which of two ways a call goes into the prompt (messages.ts renders it): 'template', structured
// `tool_calls` the chat template writes in its own call syntax, or 'text', the assistant turn exactly
// as the dataset writes it. The default follows how the source format holds its calls. No Node
// imports: the panel's page names these types too.
import type { FormatId } from '../dataset/sample';

export type CallRendering = 'text' | 'template';
/** A user's choice: one of the two, or 'auto' (by the dataset's format). */
export type CallRenderingSetting = CallRendering | 'auto';
export const CALL_RENDERINGS: readonly CallRenderingSetting[] = ['auto', 'text', 'template'];

/** Formats whose source holds calls as text the model was trained to write. */
const TEXT_FORMATS: ReadonlySet<FormatId> = new Set(['toolace', 'llamafactory', 'hermes', 'glaive']);

export function callRenderingFor(format: FormatId, setting: CallRenderingSetting = 'auto'): CallRendering {
  if (setting !== 'auto') return setting;
  return TEXT_FORMATS.has(format) ? 'text' : 'template';
}

export function parseCallRendering(v: string | undefined): CallRenderingSetting {
  if (v === undefined || v === '') return 'auto';
  if ((CALL_RENDERINGS as readonly string[]).includes(v)) return v as CallRenderingSetting;
  throw new Error(`--calls must be one of ${CALL_RENDERINGS.join(', ')}, not ${JSON.stringify(v)}`);
}
