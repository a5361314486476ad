// `npm run bench`: every benchmark, each printing one JSON line {"name","value","unit","baseline","ratio"}.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
for (const file of ['bench/index.bench.ts', 'bench/panel.bench.ts', 'bench/check.bench.ts', 'bench/checkVsBfcl.bench.ts', 'bench/reward.bench.ts', 'bench/score.bench.ts', 'bench/search.bench.ts']) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
