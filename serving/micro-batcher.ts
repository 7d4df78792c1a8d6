export interface MicroBatcherOptions<I, O> {
  /** Does the work of a whole batch; answers one output per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /**
   * Longest an item waits for company before its batch runs (ms). 0: items submitted in the same
   * tick of the event loop (same I/O phase) share a batch and nothing waits for a timer.
   */
  maxWaitMs: number;
  /** A batch runs as soon as its items weigh this much (see `weight`). */
  maxBatch: number;
  /** How much one item counts towards maxBatch; default 1. */
  weight?: (item: I) => number;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces work submitted by concurrent requests into batches: items arriving within `maxWaitMs`
 * of the first one (or up to `maxBatch` of them) are handed to `run` together, and each caller
 * gets its own answer or the batch's error. A batch runs while the next one fills, so a slow batch
 * never holds items back longer than it takes.
 */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private weight = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(private readonly o: MicroBatcherOptions<I, O>) {
    if (!(o.maxBatch >= 1)) throw new Error('MicroBatcher: maxBatch must be at least 1');
    if (!(o.maxWaitMs >= 0)) throw new Error('MicroBatcher: maxWaitMs must be 0 or more');
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.weight += this.o.weight ? this.o.weight(item) : 1;
      if (this.weight >= this.o.maxBatch) this.flush();
      else if (!this.timer) this.timer = this.o.maxWaitMs > 0 ? setTimeout(() => this.flush(), this.o.maxWaitMs) : setImmediate(() => this.flush());
    });
  }

  /** Items waiting for their batch to start. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs what is queued now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.weight = 0;
    void this.runBatch(batch);
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    try {
      const out = await this.o.run(batch.map((p) => p.item));
      if (out.length !== batch.length) throw new Error(`MicroBatcher: run answered ${out.length} outputs for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(out[i] as O));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
