import type { Logger } from 'pino';

export interface HeldChampion<T> {
  version: number;
  value: T;
}

export interface ChampionHolderOptions<T> {
  model: string;
  /** The champion version in the registry now, if any. */
  findChampion: () => Promise<number | undefined>;
  /** Loads a version, ready to use (artifact read and parsed, weights in memory). */
  load: (version: number) => Promise<T>;
  /** Frees a replaced version (e.g. its tensors). */
  dispose?: (value: T) => void;
  logger: Logger;
  /** A replaced version is freed this long after the swap, so requests still holding it finish (default 60 s). */
  disposeAfterMs?: number;
}

/**
 * The champion a serving process scores with. A new champion is loaded completely beside the
 * old one and swapped in with one assignment, so a request sees either the old or the new model,
 * never a half-loaded one and never none. A failed load keeps the current model.
 */
export class ChampionHolder<T> {
  private held: HeldChampion<T> | undefined;
  private refreshing: Promise<HeldChampion<T> | undefined> | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: ChampionHolderOptions<T>) {}

  get model(): string {
    return this.o.model;
  }

  /** The model to score with now (undefined until a champion was loaded). Callers keep it for the whole request. */
  current(): HeldChampion<T> | undefined {
    return this.held;
  }

  /** Loads the registry's champion if it is not the one held; concurrent calls share one load. */
  refresh(): Promise<HeldChampion<T> | undefined> {
    this.refreshing ??= this.reload().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async reload(): Promise<HeldChampion<T> | undefined> {
    try {
      const version = await this.o.findChampion();
      if (version === undefined || version === this.held?.version) return this.held;
      const value = await this.o.load(version);
      const previous = this.held;
      this.held = { version, value };
      this.o.logger.info({ model: this.o.model, version, previous: previous?.version }, 'champion loaded');
      if (previous) this.retire(previous.value);
    } catch (err) {
      this.o.logger.error({ err, model: this.o.model, keeping: this.held?.version }, 'champion could not be loaded; keeping the current one');
    }
    return this.held;
  }

  private retire(value: T): void {
    if (!this.o.dispose) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.o.dispose?.(value);
    }, this.o.disposeAfterMs ?? 60_000);
    timer.unref();
    this.timers.add(timer);
  }

  /** Frees everything held (process shutdown). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.held) this.o.dispose?.(this.held.value);
    this.held = undefined;
  }
}
