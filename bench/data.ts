/**
 * Data-layer speed: the 20 pooksoft files (load + validate + adjust), a 1,000,000-row CSV (written once to a
 * temp dir; pandas reads the same file in the same run when Python has it), and the binary cache reload of the
 * 20 files. Cold = the first load in this process (no JIT warm-up), warm = median of later loads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsvCached } from '../lib/data/binary.js';
import { loadCsvFile } from '../lib/data/csv.js';
import { syntheticMarket } from '../lib/data/synthetic.js';
import { SHARED_DATA, median, time } from './util.js';

/**
 * A minute file as brokers export it: exchange-local wall time without a zone (read as America/New_York and
 * converted to UTC, as data.timezone says), regular session 09:30-15:59 on weekdays, so ~10 years. Round-the-
 * clock minutes would repeat the hour of each autumn DST change and be refused as duplicate timestamps.
 */
function writeMillionRows(path: string): void {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  const pad = (x: number) => String(x).padStart(2, '0');
  let day = Date.UTC(1990, 0, 1);
  let i = 0;
  while (i < 1_000_000) {
    const wd = new Date(day).getUTCDay();
    if (wd !== 0 && wd !== 6) {
      const date = new Date(day).toISOString().slice(0, 10);
      for (let m = 9 * 60 + 30; m < 16 * 60 && i < 1_000_000; m++, i++) {
        const o = 100 * Math.exp(Math.sin(i * 0.001) * 0.5);
        const c = 100 * Math.exp(Math.sin(i * 0.001) * 0.5 + Math.sin(i * 0.37) * 0.01);
        lines.push(`${date} ${pad(Math.floor(m / 60))}:${pad(m % 60)}:00,${o.toFixed(4)},${(Math.max(o, c) * 1.002).toFixed(4)},${(Math.min(o, c) * 0.998).toFixed(4)},${c.toFixed(4)},${c.toFixed(4)},${1000 + (i % 500)}`);
      }
    }
    day += 86_400_000;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** pandas.read_csv of the same file with date parsing, best of 3 (wall and CPU), when pandas is importable. */
function pandas(path: string): { wall: number; cpu: number; version: string } | null {
  const py = `import time, pandas as pd\nb=c=1e9\nfor _ in range(3):\n  t=time.perf_counter(); p=time.process_time(); pd.read_csv(${JSON.stringify(path)}, parse_dates=['Date']); b=min(b,time.perf_counter()-t); c=min(c,time.process_time()-p)\nprint(b*1000, c*1000, pd.__version__)`;
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [wall, cpu, version] = r.stdout.trim().split(' ');
  return { wall: Number(wall), cpu: Number(cpu), version };
}

export async function run(): Promise<void> {
  console.log('\n## Data layer');
  const dir = join(SHARED_DATA, 'pooksoft_sp500');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-data-'));
  try {
    const big = join(tmp, 'million.csv');
    writeMillionRows(big);
    let cpu0 = process.cpuUsage();
    const coldMs = time(() => loadCsvFile(big));
    let c = process.cpuUsage(cpu0);
    const coldCpu = (c.user + c.system) / 1000;
    const warmMs: number[] = [];
    const warmCpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      cpu0 = process.cpuUsage();
      warmMs.push(time(() => loadCsvFile(big)));
      c = process.cpuUsage(cpu0);
      warmCpu.push((c.user + c.system) / 1000);
    }
    const pd = pandas(big);
    console.log(
      `CSV 1,000,000 session-minute rows (60 MB, New York wall time converted to UTC) load + validate + adjust: cold ${coldMs.toFixed(0)} ms (${coldCpu.toFixed(0)} ms CPU), warm best of 3 ${Math.min(...warmMs).toFixed(0)} ms (${Math.min(...warmCpu).toFixed(0)} ms CPU) (target < 1000 ms); ` +
        (pd !== null ? `pandas ${pd.version} read_csv with date parsing (no zone conversion), measured in this run, best of 3: ${pd.wall.toFixed(0)} ms (${pd.cpu.toFixed(0)} ms CPU)` : 'pandas not importable: not measured (the issue quotes 2.75 s)'),
    );

    if (existsSync(dir)) {
      const csvs = readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .map((f) => join(dir, f));
      let rows = 0;
      const csvMs = median(
        Array.from({ length: 5 }, () =>
          time(() => {
            rows = 0;
            for (const f of csvs) rows += loadCsvFile(f).series.length;
          }),
        ),
      );
      const cache = join(tmp, 'cache');
      const first = time(() => {
        for (const f of csvs) loadCsvCached(f, cache);
      });
      let hits = 0;
      const reload = Array.from({ length: 7 }, () =>
        time(() => {
          hits = 0;
          for (const f of csvs) if (loadCsvCached(f, cache).fromCache) hits++;
        }),
      );
      console.log(`CSV load + validate + adjust, ${csvs.length} Alpha Vantage files, ${rows} rows: ${csvMs.toFixed(1)} ms median`);
      console.log(`binary cache (raw Float64 columns): first load ${first.toFixed(0)} ms (parse + write), reload of ${hits} symbols ${median(reload).toFixed(1)} ms median, ${Math.min(...reload).toFixed(1)} ms best (target < 100 ms)`);
    } else {
      console.log('(../shared/data not found: 20-file CSV and cache benchmarks skipped)');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const ms = median(Array.from({ length: 5 }, () => time(() => syntheticMarket({ symbols: Array.from({ length: 20 }, (_, i) => `S${i}`) }))));
  console.log(`synthetic market, 20 symbols x 2,608 bars: ${ms.toFixed(1)} ms`);
}

if (process.argv[1]?.endsWith('data.ts')) void run();
