import type { Report } from '../../core/report';
import type { DeviceKind } from './device-generator';
import type { TimedReport } from './timed-report';

interface Entry extends TimedReport {
  /** Who scheduled it, for per-kind counts. */
  kind: DeviceKind;
  /** Insertion order: equal times leave in the order they were scheduled (deterministic). */
  seq: number;
}

/** A binary min-heap of reports scheduled between periodic ones, ordered by event time. */
export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(report: Report, ts: number, kind: DeviceKind): void {
    const heap = this.heap;
    heap.push({ ts, report, kind, seq: this.seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Event time of the earliest entry, or Infinity when empty. */
  peekTs(): number {
    return this.heap[0]?.ts ?? Infinity;
  }

  pop(): (TimedReport & { kind: DeviceKind }) | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
    return top;
  }
}

const before = (a: Entry, b: Entry): boolean => a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
