// The one typed message protocol between the dataset panel (webview) and the extension host.
// Imported by both sides. Requests carry an id and get exactly one reply with the same id;
// notifications have no id. Everything crossing here is plain data (structured clone): dataset
// text travels as strings and the webview only ever puts it into the page with textContent.

import type { SampleRow } from '../src/core/dataset/row';
import type { Sample } from '../src/core/dataset/sample';

/** One line of the sample list (defined in the core, which the CLI shares). */
export type Row = SampleRow;

export interface Problem {
  index?: number;
  line: number;
  reason: string;
}

export interface DatasetInfo {
  fileName: string;
  filePath: string;
  format: string;
  formatLabel: string;
  container: 'jsonl' | 'json-array';
  count: number;
  sizeBytes: number;
  /** Problems found so far (the structural ones from indexing; validation adds more). */
  problems: Problem[];
  /** Milliseconds the host took to index the file. */
  indexMs: number;
}

export type Filter = 'all' | 'calls' | 'text' | 'problems';

export interface Requests {
  rows: { params: { from: number; to: number; view?: number }; result: Row[] };
  sample: { params: { index: number }; result: { sample?: Sample; problem?: string; line: number; rawText: string } };
  /** Start a search/filter; results arrive as `viewProgress` notifications for that view id. */
  setView: { params: { query: string; filter: Filter }; result: { view: number } };
}

export type HostNotification =
  | { type: 'init'; info: DatasetInfo }
  | { type: 'error'; message: string }
  /** Progress of a filtered view: `count` positions matched so far out of `scanned` records. */
  | { type: 'viewProgress'; view: number; count: number; scanned: number; total: number; done: boolean }
  | { type: 'validation'; scanned: number; total: number; problems: Problem[]; done: boolean };

export type WebviewNotification =
  | { type: 'ready' }
  /** The first page of rows is in the DOM (used by tests and the panel benchmark). */
  | { type: 'firstPageRendered'; rows: number };

export type RequestMessage = {
  [M in keyof Requests]: { type: 'request'; id: number; method: M; params: Requests[M]['params'] };
}[keyof Requests];

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: string };

export type ToHost = RequestMessage | WebviewNotification;
export type ToWebview = ResponseMessage | HostNotification;
