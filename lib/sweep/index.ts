/** lib/sweep: parameter sweeps and walk-forward grids on a local thread pool or across machines on Redis. */
export { parseSweepSpec, loadSweepSpec, expandAxis, SWEEP_STRATEGIES, SWEEP_METRICS, type SweepSpec, type SweepMetric, type Scalar, type StrategyName, type SweepWindow } from './spec.js';
export { planJobs, gridSize, universes, MAX_CELLS_WITHOUT_YES, type SweepJob, type GridPlan } from './grid.js';
export { dataRefFor, dataHash, loadDataRef, canonicalJson, DataCache, DataMismatchError, type DataRef, type LoadedData } from './data.js';
export { JobRunner, METRIC_COLUMNS, decodeReturns, encodeReturns, type JobResult, type MetricColumn } from './job.js';
export { ResultStore, resultColumns, RESULTS_CSV, RESULTS_PARQUET, RETURNS_NDJSON, type ResultRow } from './results.js';
export { SweepPool, defaultWorkers } from './pool.js';
export { runSweep, defaultOut, type RunSweepOptions, type SweepOutcome } from './run.js';
export { parseRedisUrl, checkRedis, runOnQueue, startQueueWorker, RedisUnreachableError, DEFAULT_QUEUE_NAME, DEFAULT_LOCK_MS, type RedisTarget, type QueueWorkerHandle } from './queue.js';
export { renderSweepReport, writeSweepReport, heatmapGrid, bestRow } from './report.js';
export { trialGroups, overfittingForGroups, cscvBlocks, type GroupOverfitting, type ReturnsScan, type OverfittingReport } from './overfit.js';
export { codeHash } from './code.js';
export { sweepProgress, type ProgressMode } from './progress.js';
