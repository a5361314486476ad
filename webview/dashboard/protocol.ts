// The one typed message protocol between the round dashboard (webview) and the extension host
// (src/extension/roundDashboard.ts). Imported by both sides; everything crossing is plain data.
// The host posts the series already computed (src/core/rounds/dashboardData.ts), never raw
// registry text; labels in it (policy names, trainer errors) are untrusted and the page only
// ever puts them into the DOM with textContent or attribute values.
import type { DashboardData } from '../../src/core/rounds/dashboardData';

export type { DashboardData };

export interface DashboardSource {
  /** The dataset's file name (shown in the header) and full path (its tooltip). */
  fileName: string;
  filePath: string;
  /** The registry the dashboard reads: DATASET.itool/rounds/rounds.json. */
  registryPath: string;
}

export type ToWebview =
  /** The registry as read just now (also when it has no rounds: then `data.empty`). */
  | { type: 'data'; source: DashboardSource; data: DashboardData; readAt: string }
  /** The registry could not be read (bad JSON, not a registry, unreadable); the last data stays shown. */
  | { type: 'error'; source: DashboardSource; message: string };

export type ToHost =
  | { type: 'ready' }
  /** The page finished drawing a `data` message (tests wait on it through the DOM instead). */
  | { type: 'rendered'; rounds: number };
