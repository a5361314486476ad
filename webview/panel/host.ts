// The page's only link to the extension host: acquireVsCodeApi() is called here and nowhere else.
// request() pairs each request with its reply by id; onNotification() delivers the rest.
import type { HostNotification, Requests, ToHost, ToWebview, WebviewNotification } from './protocol';
import type { ColumnState } from './columns';
import type { ListQuery } from './sampleFilters';

const vscode = acquireVsCodeApi();
let nextId = 1;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const listeners: ((n: HostNotification) => void)[] = [];

window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
  const msg = ev.data;
  if (msg.type === 'response') {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result);
    else w.reject(new Error(msg.error));
    return;
  }
  for (const l of listeners) l(msg);
});

export function request<M extends keyof Requests>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    vscode.postMessage({ type: 'request', id, method, params } as ToHost);
  });
}

export function notify(n: WebviewNotification): void {
  vscode.postMessage(n);
}

export function onNotification(l: (n: HostNotification) => void): void {
  listeners.push(l);
}

/** Small UI state (selection, search, layout) that survives the panel being hidden or reloaded. */
export interface PanelState {
  selected?: number;
  /** The list's search text, filters and order. */
  view?: ListQuery;
  /** What a page before combined filters kept: its search text and its one filter ('tier:hard', 'kind:…'). */
  query?: string;
  filter?: string;
  /** Column widths, hidden columns and the list's share of the width. */
  columns?: ColumnState;
  /** Whether each chart is open, per tab ("calibration:review"). */
  charts?: Record<string, boolean>;
  /** The review tab was showing. */
  review?: boolean;
  /** The detail view's "Scored as" block was left open (undefined: open). */
  scoredAsOpen?: boolean;
}

export function getState(): PanelState {
  return (vscode.getState() as PanelState | undefined) ?? {};
}

export function setState(s: PanelState): void {
  vscode.setState(s);
}
