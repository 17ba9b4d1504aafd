/** Buy each symbol on its first bar and hold it: the baseline every strategy must beat. */
import { NO_INTENTS, type Intent, type Strategy, type StrategyContext } from '../types.js';

export class BuyAndHold implements Strategy {
  readonly name = 'buy-and-hold';
  private bought = new Set<string>();

  onBar(ctx: StrategyContext): readonly Intent[] {
    if (this.bought.size === ctx.series.length) return NO_INTENTS;
    let out: Intent[] | null = null;
    for (let s = 0; s < ctx.series.length; s++) {
      const sym = ctx.series[s].symbol;
      if (ctx.index[s] < 0 || this.bought.has(sym)) continue;
      this.bought.add(sym);
      (out ??= []).push({ kind: 'signal', symbol: sym, direction: 'long', confidence: 1, reason: 'buy and hold' });
    }
    return out ?? NO_INTENTS;
  }
}
