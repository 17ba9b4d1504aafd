/** Journal records in the form the API and the event stream show them: ISO 8601 times, parsed details. */
import { isoTime } from '../lib/core/bars.js';
import type { OrderView, RiskView, SignalView } from './control.js';
import type { JournalOrder, RiskDecisionRecord, SignalRecord } from './store.js';

export function toOrderView(o: JournalOrder): OrderView {
  return {
    clientOrderId: o.clientOrderId,
    brokerId: o.brokerId,
    symbol: o.symbol,
    side: o.side,
    qty: o.qty,
    type: o.type,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    timeInForce: o.timeInForce,
    bracket: o.bracket,
    status: o.status,
    filledQty: o.filledQty,
    avgFillPrice: o.avgFillPrice,
    barTime: o.barTime === null ? null : isoTime(o.barTime),
    parentId: o.parentId,
    source: o.source,
    tag: o.tag,
    rejectReason: o.rejectReason,
    createdAt: new Date(o.createdAt).toISOString(),
    updatedAt: new Date(o.updatedAt).toISOString(),
  };
}

export function toSignalView(s: SignalRecord): SignalView {
  let detail: Record<string, unknown> | null = null;
  if (s.detail) {
    try {
      detail = JSON.parse(s.detail) as Record<string, unknown>;
    } catch {
      detail = { text: s.detail };
    }
  }
  return { time: isoTime(s.time), strategy: s.strategy, symbol: s.symbol, value: s.value, detail };
}

export function toRiskView(r: RiskDecisionRecord): RiskView {
  return { ...r, time: isoTime(r.time) };
}
