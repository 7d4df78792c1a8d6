import { MicroBatcher } from './micro-batcher';

const doubler = (batches: number[][]) => async (items: number[]) => {
  batches.push([...items]);
  return items.map((i) => i * 2);
};

describe('MicroBatcher', () => {
  it('runs items submitted in the same tick as one batch, each caller getting its own answer', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher({ run: doubler(batches), maxWaitMs: 0, maxBatch: 100 });
    const answers = await Promise.all([1, 2, 3].map((i) => b.submit(i)));
    expect(answers).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('waits at most maxWaitMs for company', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher({ run: doubler(batches), maxWaitMs: 20, maxBatch: 100 });
    const started = Date.now();
    const first = b.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const second = b.submit(2);
    expect(await Promise.all([first, second])).toEqual([2, 4]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(15);
    expect(waited).toBeLessThan(200);
    expect(batches).toEqual([[1, 2]]);
  });

  it('starts a batch at once when it is full, by weight', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher({ run: doubler(batches), maxWaitMs: 10_000, maxBatch: 5, weight: (i) => i });
    const full = [b.submit(2), b.submit(3)];
    const next = b.submit(1);
    expect(await Promise.all(full)).toEqual([4, 6]);
    expect(batches).toEqual([[2, 3]]);
    expect(b.waiting).toBe(1);
    b.flush();
    expect(await next).toBe(2);
    expect(batches).toEqual([[2, 3], [1]]);
  });

  it('fills the next batch while one runs', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = new MicroBatcher({
      maxWaitMs: 0, maxBatch: 100,
      run: async (items: number[]) => {
        batches.push([...items]);
        if (items[0] === 1) await gate;
        return items;
      },
    });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = [b.submit(2), b.submit(3)];
    expect(await Promise.all(second)).toEqual([2, 3]);
    release();
    expect(await first).toBe(1);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('fails every item of a batch that fails, and later batches still run', async () => {
    let fail = true;
    const b = new MicroBatcher({
      maxWaitMs: 0, maxBatch: 10,
      run: async (items: number[]) => {
        if (fail) throw new Error('database down');
        return items;
      },
    });
    const results = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('database down'));
    fail = false;
    expect(await b.submit(3)).toBe(3);
  });

  it('rejects a run that answers the wrong number of outputs', async () => {
    const b = new MicroBatcher({ maxWaitMs: 0, maxBatch: 10, run: async () => [1] });
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow(/1 outputs for 2 items/);
  });
});
