/**
 * What the configured data is, in words and fields, for report config blocks and model metadata: on
 * synthetic data the seed and the planted effect must be visible wherever a result is shown, so nobody
 * mistakes a positive control for a discovery.
 */
import type { DataConfig } from './schema.js';

export interface DataDescription {
  provider: DataConfig['provider'];
  symbols: string[];
  interval: string;
  /** Synthetic data only: seed and planted effect (0 = a market with no edge). */
  synthetic?: { seed: number; oversold_bounce: number; planted_effect: string };
  /** One line for consoles and report headers. */
  summary: string;
}

export function describeData(d: Pick<DataConfig, 'provider' | 'symbols' | 'interval' | 'synthetic'>): DataDescription {
  const base = { provider: d.provider, symbols: [...d.symbols], interval: d.interval };
  if (d.provider !== 'synthetic') return { ...base, summary: `${d.provider}: ${d.symbols.join(', ')} (${d.interval})` };
  const b = d.synthetic.oversold_bounce;
  const planted =
    b > 0
      ? `PLANTED EFFECT: after a close with RSI(14) < 35 the next bar's log return gets +${(b * 100).toFixed(2)}% (a positive control, not a real edge)`
      : 'no planted effect (oversold_bounce 0): a market with no edge';
  return {
    ...base,
    synthetic: { seed: d.synthetic.seed, oversold_bounce: b, planted_effect: planted },
    summary: `synthetic market (seed ${d.synthetic.seed}; ${planted}): ${d.symbols.join(', ')} (${d.interval})`,
  };
}
