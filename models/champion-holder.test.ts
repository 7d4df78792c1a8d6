import pino from 'pino';
import { ChampionHolder } from './champion-holder';

const logger = pino({ level: 'silent' });

function holder(registry: { version: number | undefined; fail?: boolean; loadMs?: number }, disposed: string[], loads: number[]) {
  return new ChampionHolder<string>({
    model: 'delay', logger, disposeAfterMs: 20,
    findChampion: async () => registry.version,
    load: async (version) => {
      loads.push(version);
      await new Promise((r) => setTimeout(r, registry.loadMs ?? 0));
      if (registry.fail) throw new Error('artifact unreadable');
      return `model v${version}`;
    },
    dispose: (m) => disposed.push(m),
  });
}

describe('ChampionHolder', () => {
  it('keeps serving the old model while the new one loads, then swaps and frees the old one later', async () => {
    const registry: { version: number | undefined; loadMs?: number } = { version: 1 };
    const disposed: string[] = [];
    const h = holder(registry, disposed, []);
    await h.refresh();
    expect(h.current()).toEqual({ version: 1, value: 'model v1' });
    registry.version = 2;
    registry.loadMs = 30;
    const loading = h.refresh();
    expect(h.current()?.version).toBe(1);
    await loading;
    expect(h.current()).toEqual({ version: 2, value: 'model v2' });
    // A request that took v1 just before the swap may still be using it.
    expect(disposed).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    expect(disposed).toEqual(['model v1']);
    h.close();
  });

  it('shares one load between concurrent refreshes and skips loading the version it holds', async () => {
    const loads: number[] = [];
    const h = holder({ version: 3, loadMs: 10 }, [], loads);
    await Promise.all([h.refresh(), h.refresh(), h.refresh()]);
    await h.refresh();
    expect(loads).toEqual([3]);
    h.close();
  });

  it('keeps the current model when the new one cannot be loaded, and tries again next time', async () => {
    const registry: { version: number | undefined; fail?: boolean } = { version: 1 };
    const loads: number[] = [];
    const h = holder(registry, [], loads);
    await h.refresh();
    registry.version = 2;
    registry.fail = true;
    await h.refresh();
    expect(h.current()?.version).toBe(1);
    registry.fail = false;
    await h.refresh();
    expect(h.current()?.version).toBe(2);
    expect(loads).toEqual([1, 2, 2]);
    h.close();
  });

  it('holds nothing until the registry has a champion', async () => {
    const h = holder({ version: undefined }, [], []);
    expect(await h.refresh()).toBeUndefined();
    expect(h.current()).toBeUndefined();
  });
});
