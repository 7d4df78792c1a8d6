import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { alertChannelPrefix } from '../pipelines/alerts/alert-channel';

type Listener = () => void;

/**
 * One Redis subscription per API process for every tenant's alert announcements, fanned out to
 * that tenant's open SSE streams. Announcements only wake streams up; streams read the log.
 */
export class AlertStreamHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscribed?: Promise<unknown>;

  constructor(private readonly subscriber: Redis, private readonly logger: Logger) {
    subscriber.on('pmessage', (_pattern: string, channel: string) => {
      for (const l of this.listeners.get(channel.slice(alertChannelPrefix.length)) ?? []) l();
    });
  }

  /** Calls `listener` whenever the tenant has new events; returns the unsubscribe function. */
  subscribe(tenant: string, listener: Listener): () => void {
    this.subscribed ??= this.subscriber.psubscribe(`${alertChannelPrefix}*`).catch((err: unknown) => {
      this.subscribed = undefined;
      this.logger.error({ err }, 'subscribing to alert announcements failed; streams fall back to polling');
    });
    const set = this.listeners.get(tenant) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(tenant, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenant);
    };
  }

  get streams(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  close(): void {
    this.subscriber.disconnect();
  }
}
