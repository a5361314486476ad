// Record index benchmarks. Each prints one JSON line {"name","value","unit","baseline","ratio"} to
// stdout; progress goes to stderr. Inputs are generated into the run's temporary folder
// (bench/inputs.ts; removed at the end, kept with BENCH_KEEP=1 or BENCH_DATA=DIR): a ~1 GB JSONL
// of BFCL-like tool-use records, and 1M smaller OpenAI-format records (also used by
// panel.bench.ts). Quick mode (--quick, BENCH_QUICK=1): 64 MB and 50,000 records; the names stay.
//   node --import tsx bench/index.bench.ts [--quick]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { buildIndex, RecordReader } from '../src/core/dataset/recordIndex';
import { bfclData, isQuick, ROOT } from './env';
import { bigFile, ONE_M_RECORDS, oneMillionFile } from './inputs';

const log = (msg: string) => process.stderr.write(`[index.bench] ${msg}\n`);
const emit = (name: string, value: number, unit: string, baseline: number, ratio: number) =>
  process.stdout.write(`${JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: Number(ratio.toFixed(3)) })}\n`);
const round = (x: number) => Number(x.toPrecision(4));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCmd(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  return s;
}

/** What a naive tool does before it shows anything: readline + JSON.parse of every line, all kept. */
function naiveLoadSeconds(path: string): number {
  const src = `
    const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]), crlfDelay: Infinity });
    const t0 = performance.now();
    const records = [];
    rl.on('line', (l) => { if (l.trim()) records.push(JSON.parse(l)); });
    rl.on('close', () => console.log(JSON.stringify({ s: (performance.now() - t0) / 1000, n: records.length })));`;
  // A child with a large heap: ~1 GB of parsed records does not fit the default one.
  const r = spawnSync(process.execPath, ['--max-old-space-size=16384', '-e', src, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`naive loader failed (exit ${r.status})`);
  const out = JSON.parse(r.stdout) as { s: number; n: number };
  log(`  naive loader: ${out.n} records in ${out.s.toFixed(2)} s`);
  return out.s;
}

async function main(): Promise<void> {
  log(`records generated from ${bfclData(ROOT).note.replace(/^BFCL data: /, '')}`);
  if (isQuick()) log('quick mode: 64 MB instead of ~1 GB, 50,000 records instead of 1M (the JSON line names stay)');
  const BIG = await bigFile('index.bench');
  const ONE_M = await oneMillionFile('index.bench');
  log(`data: ${BIG} (${(statSync(BIG).size / 1e9).toFixed(2)} GB), ${ONE_M} (${(statSync(ONE_M).size / 1e9).toFixed(2)} GB)`);

  // index_1gb_vs_wc: warm page cache first, so both sides measure scanning, not the disk.
  timeCmd('cat', [BIG]);
  const wc = median([0, 1, 2].map(() => timeCmd('wc', ['-l', BIG])));
  const idx: number[] = [];
  let count = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const index = await buildIndex(BIG);
    idx.push((performance.now() - t0) / 1000);
    count = index.count;
  }
  log(`  wc -l ${wc.toFixed(3)} s; index runs ${idx.map((s) => s.toFixed(3)).join(', ')} s; ${count} records`);
  emit('index_1gb_vs_wc', median(idx), 's', wc, wc / median(idx));

  // first_page_vs_readline: index + parse the first 100 records, vs a naive full load.
  const firstPage: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const index = await buildIndex(BIG);
    const reader = new RecordReader(index);
    const page = await reader.parseRange(0, 100);
    firstPage.push((performance.now() - t0) / 1000);
    await reader.close();
    if (!page.every((r) => r.ok)) throw new Error('first page has bad records');
  }
  const naive = naiveLoadSeconds(BIG);
  emit('first_page_vs_readline', median(firstPage), 's', naive, naive / median(firstPage));

  // index_bytes_per_record: memory of the index of the 1M-record file.
  const oneM = await buildIndex(ONE_M);
  if (oneM.count !== ONE_M_RECORDS()) throw new Error(`${ONE_M} has ${oneM.count} records, not ${ONE_M_RECORDS()}`);
  const bpr = oneM.bytesPerRecord();
  emit('index_bytes_per_record', bpr, 'B/record', 32, 32 / bpr);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
