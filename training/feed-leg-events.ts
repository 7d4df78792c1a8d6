import type { Knex } from 'knex';
import type { StoredReportsHook } from '../features';
import { legEventReport, type LegEvent } from './leg-event';

export interface FeedOptions {
  tenant: string;
  deviceId: string;
  hook: StoredReportsHook;
  /** Longest event-time span of one hook call: the allowed lateness (events exactly that late still count). */
  sliceMs: number;
}

/**
 * Hands events, oldest first, to the feature hook in slices of at most `sliceMs` of event time.
 * The hook treats a batch's newest event as the watermark, so a batch spanning more than the
 * allowed lateness would drop its own oldest events as late; slices keep history importable
 * with the live lateness rule unchanged.
 */
export async function feedLegEvents(trx: Knex.Transaction, events: LegEvent[], options: FeedOptions): Promise<void> {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  let start = 0;
  while (start < sorted.length) {
    const first = (sorted[start] as LegEvent).ts;
    let end = start;
    while (end < sorted.length && (sorted[end] as LegEvent).ts - first <= options.sliceMs) end++;
    const slice = sorted.slice(start, end).map((e) => legEventReport(options.tenant, options.deviceId, e));
    await options.hook(trx, slice);
    start = end;
  }
}
