// `itool loop-report DIR [DIR…]`: the report of one or more `itool loop` work folders (one per
// seed) from their loop-results.json — accuracies with Wilson intervals, paired tests against the
// warm-up and against iTool, per seed and pooled, and the seconds per stage (src/core/rounds/loopReport.ts).
import { readLoopRuns, loopReport } from '../core/rounds/loopReport';

export async function loopReportCommand(dirs: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  try {
    const merged = await readLoopRuns(dirs);
    io.stdout(`# Loop results (${merged.runs.map((r) => r.label).join(', ')})\n\n${loopReport(merged)}\n`);
    return 0;
  } catch (err) {
    io.stderr(`loop-report: ${(err as Error).message}\n`);
    return 1;
  }
}
