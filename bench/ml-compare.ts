/**
 * Random Forest predict side by side with scikit-learn, in the same run (issue 16): the 13 default features of
 * 10 pooksoft symbols pooled (53,680 rows; chronological 80/20 per the reference: 42,944 train / 10,736 test),
 * 100 trees, depth 10, sqrt features, one thread each. Python runs bench/py/rf_sklearn.py on the very same
 * float64 rows when scikit-learn is importable (`pip install scikit-learn`); otherwise it says so.
 * Predict is timed as wall and CPU time (median and best of 15): the machine is shared, CPU time is the fairer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BarSeries } from '../lib/core/bars.js';
import { readCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { buildDataset } from '../lib/ml/dataset.js';
import { RandomForestClassifier } from '../lib/ml/forest.js';
import { sliceRows } from '../lib/ml/matrix.js';
import { SHARED_DATA, median } from './util.js';

const TEN = ['AAPL', 'AMZN', 'BAC', 'CSCO', 'CVX', 'GE', 'HD', 'IBM', 'INTC', 'JNJ'];

interface Sk {
  sklearn: string;
  fit_s: number;
  predict_ms_median: number;
  predict_ms_best: number;
  predict_cpu_ms_median: number;
  predict_cpu_ms_best: number;
  accuracy: number;
  rows: number;
}

export async function run(): Promise<void> {
  console.log('\n## Random Forest predict vs scikit-learn (same rows, same run)');
  const dir = resolve(SHARED_DATA, 'pooksoft_sp500');
  const real = TEN.every((s) => existsSync(join(dir, `${s}.csv`)));
  const series: BarSeries[] = real
    ? TEN.map((s) => readCsvFile(join(dir, `${s}.csv`), { adjust: true, symbol: s }))
    : syntheticMarket({ symbols: TEN.map((s) => `SYN${s}`), start: '1999-11-01', end: '2021-04-22', seed: 7 });
  const d = buildDataset(series);
  const n = Math.floor(d.X.rows * 0.8);
  const Xtr = sliceRows(d.X, 0, n);
  const Xte = sliceRows(d.X, n);
  const ytr = d.y.subarray(0, n);
  const yte = d.y.subarray(n);
  console.log(`${real ? '10 pooksoft symbols pooled' : 'synthetic (../shared/data not found)'}: ${n} train / ${Xte.rows} test rows, ${d.X.cols} features; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  const rf = new RandomForestClassifier({ nEstimators: 100, maxDepth: 10, maxFeatures: 'sqrt', seed: 1 });
  const f0 = performance.now();
  rf.fit(Xtr, ytr);
  const fitS = (performance.now() - f0) / 1000;
  const wall: number[] = [];
  const cpu: number[] = [];
  let p: Float64Array = new Float64Array(0);
  for (let k = 0; k < 15; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    p = rf.predictPositive(Xte);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  let ok = 0;
  for (let i = 0; i < yte.length; i++) if ((p[i] > 0.5 ? 1 : 0) === yte[i]) ok++;
  console.log(
    `tstrader RF: fit ${fitS.toFixed(2)} s; predict ${Xte.rows} rows ${median(wall).toFixed(1)} ms wall median (${Math.min(...wall).toFixed(1)} best), ${median(cpu).toFixed(1)} ms CPU median (${Math.min(...cpu).toFixed(1)} best); accuracy ${(ok / yte.length).toFixed(4)}`,
  );

  const tmp = mkdtempSync(join(tmpdir(), 'bench-rf-'));
  try {
    const f64 = (a: ArrayLike<number>) => Buffer.from(Float64Array.from(a).buffer);
    writeFileSync(join(tmp, 'Xtr.f64'), f64(Xtr.data));
    writeFileSync(join(tmp, 'ytr.f64'), f64(ytr));
    writeFileSync(join(tmp, 'Xte.f64'), f64(Xte.data));
    writeFileSync(join(tmp, 'yte.f64'), f64(yte));
    const r = spawnSync('python3', [resolve('bench/py/rf_sklearn.py'), tmp, String(d.X.cols)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      console.log(`scikit-learn not importable here (${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 120)}): not measured; REFERENCES.md (copied): predict 1,074 rows 9 ms, fit 0.87 s on AAPL alone`);
      return;
    }
    const s = JSON.parse(line) as Sk;
    console.log(
      `scikit-learn ${s.sklearn} (measured in this run, n_jobs=1): fit ${s.fit_s.toFixed(2)} s; predict_proba ${s.rows} rows ${s.predict_ms_median.toFixed(1)} ms wall median (${s.predict_ms_best.toFixed(1)} best), ${s.predict_cpu_ms_median.toFixed(1)} ms CPU median (${s.predict_cpu_ms_best.toFixed(1)} best); accuracy ${s.accuracy.toFixed(4)}`,
    );
    console.log(`predict CPU time, scikit-learn / tstrader: ${(s.predict_cpu_ms_median / median(cpu)).toFixed(2)}x (> 1 means tstrader is faster); fit: ${(s.fit_s / fitS).toFixed(2)}x`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('ml-compare.ts')) void run();
