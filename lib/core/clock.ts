/**
 * The only source of "now" in lib/. The backtest drives a SimClock from bar times; the runner uses the
 * system clock. Nothing else in lib/ may read wall time.
 */
export interface Clock {
  nowMs(): number;
}

export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
}

/** A clock the simulation moves forward; it refuses to go backwards, which would mean a bug in event order. */
export class SimClock implements Clock {
  private t: number;
  constructor(startMs = 0) {
    this.t = startMs;
  }
  nowMs(): number {
    return this.t;
  }
  advanceTo(ms: number): void {
    if (ms < this.t) throw new Error(`SimClock cannot move backwards: ${new Date(ms).toISOString()} < ${new Date(this.t).toISOString()}`);
    this.t = ms;
  }
}
