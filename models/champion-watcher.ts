import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChampionHolder } from './champion-holder';
import { championChannel, parseChampionNotice } from './champion-notice';

export interface ChampionWatcherOptions {
  /** A connection of its own: a subscribed Redis connection can do nothing else. */
  subscriber: Redis;
  holders: ChampionHolder<unknown>[];
  /** Registry poll period, the fallback for a missed notice. */
  pollMs: number;
  logger: Logger;
}

/**
 * Keeps champion holders current: a notice on the champion channel reloads its model at once,
 * and every `pollMs` each holder asks the registry anyway (a notice published while this process
 * was reconnecting is lost; polling bounds how late the change arrives).
 */
export class ChampionWatcher {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ChampionWatcherOptions) {}

  /** Loads the current champions, then listens and polls. */
  async start(): Promise<void> {
    this.o.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== championChannel) return;
      const notice = parseChampionNotice(message);
      if (!notice) return;
      for (const h of this.o.holders) if (h.model === notice.model) void h.refresh();
    });
    this.o.subscriber.on('error', (err: Error) => this.o.logger.warn({ err }, 'champion notice connection error (polling still runs)'));
    // A SUBSCRIBE written before the connection's ready check breaks that check (ioredis then
    // reconnects without the subscription): subscribe only once ready, and again after every reconnect.
    this.o.subscriber.on('ready', () => void this.o.subscriber.subscribe(championChannel).catch(() => undefined));
    if (this.o.subscriber.status !== 'ready') await once(this.o.subscriber, 'ready');
    await this.o.subscriber.subscribe(championChannel);
    await this.refreshAll();
    this.timer = setInterval(() => void this.refreshAll(), this.o.pollMs);
    this.timer.unref();
  }

  private async refreshAll(): Promise<void> {
    await Promise.all(this.o.holders.map((h) => h.refresh()));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.o.subscriber.unsubscribe(championChannel).catch(() => undefined);
    this.o.subscriber.disconnect();
  }
}
