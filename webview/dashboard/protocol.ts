// The one typed message protocol between the round dashboard (webview) and the extension host
// (src/extension/roundDashboard.ts, and src/extension/trainingForm.ts for the start form it shows).
// Imported by both sides; everything crossing is plain data. The host posts the series already
// computed (src/core/rounds/dashboardData.ts, lossCurve.ts), never raw registry or log text;
// labels in it (policy names, trainer errors, malformed log lines) are untrusted and the page only
// ever puts them into the DOM with textContent or attribute values.
import type { DashboardData } from '../../src/core/rounds/dashboardData';
import type { LossChart } from '../../src/core/rounds/lossCurve';
import type { TrainingFormErrors, TrainingFormInit, TrainingFormValues } from '../../src/core/rounds/trainingForm';

export type { DashboardData, LossChart, TrainingFormErrors, TrainingFormInit, TrainingFormValues };

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
  | { type: 'error'; source: DashboardSource; message: string }
  /** The rounds' training loss per step, from their trainer logs; posted again as a running round's log grows. */
  | { type: 'loss'; loss: LossChart }
  /** Show the start-round form, filled in. */
  | { type: 'form'; form: TrainingFormInit }
  /** What is wrong with the form as last reported (empty: nothing); `message` a problem with starting itself. */
  | { type: 'formErrors'; errors: TrainingFormErrors; message?: string }
  /** The host is exporting and launching (the form waits), or has closed the form. */
  | { type: 'formState'; state: 'starting' | 'closed' };

export type ToHost =
  | { type: 'ready' }
  /** The page finished drawing a `data` message (tests wait on it through the DOM instead). */
  | { type: 'rendered'; rounds: number }
  /** The form's values changed (every edit): the host answers with formErrors. */
  | { type: 'formChanged'; values: TrainingFormValues }
  /** Start was pressed with these values. */
  | { type: 'formStart'; values: TrainingFormValues }
  | { type: 'formCancel' };
