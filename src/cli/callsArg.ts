// --calls, shared by the commands that render calls (render, calibrate, explore, export). Its own
// file: the parser lives with the chat-message code, which the checker's bundle must not load.
import { parseCallRendering, type CallRenderingSetting } from '../core/model/callRendering';
import { UsageError } from './args';

/** --calls text|template|auto (default auto: by the dataset's format), a mistake as the command's usage error. */
export function callsArg(command: string, v: string | undefined): CallRenderingSetting {
  try {
    return parseCallRendering(v);
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
}
