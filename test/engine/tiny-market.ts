/** A hand-checkable daily series: closes go down, up, down; open = close - 0.25; range 0.1 beyond open/close. */
import { makeSeries, type BarSeries } from '../../lib/core/bars.js';

const TINY_CLOSES = [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3, 2, 1];
export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);

export function tinySeries(symbol = 'TINY', closes: readonly number[] = TINY_CLOSES): BarSeries {
  const open = closes.map((c) => c - 0.25);
  return makeSeries(symbol, '1d', {
    time: closes.map((_, i) => T0 + i * DAY),
    open,
    high: closes.map((c, i) => Math.max(c, open[i]) + 0.1),
    low: closes.map((c, i) => Math.min(c, open[i]) - 0.1),
    close: closes,
    volume: closes.map(() => 1000),
  });
}
