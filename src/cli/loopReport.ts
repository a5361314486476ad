// `itool loop-report DIR [DIR…]`: the report of one or more `itool loop` work folders (one per
// seed) from their loop-results.json — accuracies with Wilson intervals, paired tests against the
// warm-up and against iTool, per seed and pooled, and the seconds per stage (src/core/rounds/loopReport.ts).
import { readLoopRuns, loopReport } from '../core/rounds/loopReport';
import { UsageError } from './args';
import { defineCommand } from './command';

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

export const loopReportCli = defineCommand({
  name: 'loop-report',
  usage: `  itool loop-report DIR [DIR…]
      The report of one or more itool loop work folders (their loop-results.json; one per seed):
      held-out accuracy with Wilson 95% intervals; each round against the warm-up model and each
      variant's last round against iTool's, on the same samples (Δ points, paired bootstrap 95%
      interval, exact McNemar p, whether the difference is real), per seed and pooled over seeds;
      and the seconds each stage took per variant.
`,
  options: {},
  run(_values, dirs) {
    if (dirs.length === 0) throw new UsageError('loop-report: give one or more itool loop work folders (-w WORKDIR of each run)');
    return loopReportCommand(dirs, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  },
});
