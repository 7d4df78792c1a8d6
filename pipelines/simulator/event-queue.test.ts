import { EventQueue } from './event-queue';
import { seededRandom } from '../sample-reports';

describe('event queue', () => {
  it('pops in event-time order, equal times in the order scheduled', () => {
    const queue = new EventQueue();
    const random = seededRandom(9);
    const pushed: { ts: number; id: string }[] = [];
    for (let i = 0; i < 2000; i++) {
      const ts = Math.floor(random() * 100);
      pushed.push({ ts, id: `e${i}` });
      queue.push({ id: `e${i}`, deviceId: 'd', ts: new Date(ts).toISOString() }, ts, 'trucks');
    }
    const popped: string[] = [];
    while (queue.size) popped.push(queue.pop()!.report.id);
    const expected = [...pushed].sort((a, b) => a.ts - b.ts || Number(a.id.slice(1)) - Number(b.id.slice(1))).map((e) => e.id);
    expect(popped).toEqual(expected);
    expect(queue.pop()).toBeUndefined();
    expect(queue.peekTs()).toBe(Infinity);
  });
});
