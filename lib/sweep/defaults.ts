/**
 * Defaults the sweep and worker commands print in --help. Kept in a module without imports so `--help` answers
 * before BullMQ, piscina and polars load.
 */
export const DEFAULT_QUEUE_NAME = 'tstrader-sweep';
/** Lock a worker holds on a running job; a dead worker's job is retried after about this long. */
export const DEFAULT_LOCK_MS = 30_000;
export const MAX_CELLS_WITHOUT_YES = 1_000_000;
