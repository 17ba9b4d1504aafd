/** The runner's surface for scripts, notebooks and tests: build one from a config, or compose the parts. */
export { createRunner, dataProvider, type Runner, type RunnerOptions } from './runner.js';
export { TradingLoop, clientOrderId, silentLogger, type LoopOptions, type LoopLogger } from './loop.js';
export { Store, type JournalOrder, type JournalFill, type SignalRecord, type EquityPoint, type KillSwitch, type KillKind } from './store.js';
export type { Control, StatusView, PortfolioView, PositionView, MetricsView, ManualOrder, OrderOutcome, RunnerEvent } from './control.js';
export { RunnerControl } from './control-impl.js';
export { liveTick, completeBefore } from './live.js';
