import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../core/config';
import { PubSubTransport } from './pubsub-transport';
import { RedisStreamsTransport } from './redis-streams-transport';
import { partitionGroups } from './scoring/report-partition';
import type { Transport } from './transport';

export interface TransportDeps {
  config: Config;
  logger: Logger;
  /** Reported consumer lag (messages not yet delivered to this role's group). */
  onLag?: (lag: number) => void;
}

/** Builds the transport TRANSPORT names, with its own connections (closed by transport.close()). */
export function createTransport({ config, logger, onLag }: TransportDeps): Transport {
  switch (config.TRANSPORT) {
    case 'redis':
      return createRedisTransport(config, logger, onLag);
    case 'pubsub':
      return createPubSubTransport(config, logger);
    default:
      throw new Error(`TRANSPORT=${config.TRANSPORT} is not available in this build`);
  }
}

function createRedisTransport(config: Config, logger: Logger, onLag?: (lag: number) => void): Transport {
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  return new RedisStreamsTransport({
    redis,
    logger,
    streamKey: config.STREAM_KEY,
    consumerName: config.CONSUMER_NAME,
    reclaimIdleMs: config.RECLAIM_IDLE_MS,
    trimIntervalMs: config.STREAM_TRIM_INTERVAL_MS,
    // The scoring role's group is one per partition.
    groups: config.STREAM_GROUPS.flatMap((g) => (g === config.SCORING_GROUP ? partitionGroups(g, config.SCORING_PARTITIONS) : [g])),
    onLag,
    ownsConnection: true,
  });
}

/**
 * Pub/Sub reports no lag to the client (it is a Cloud Monitoring metric), so onLag is unused.
 * The ingest role is reachable both by its subscription name and by INGEST_GROUP.
 */
function createPubSubTransport(config: Config, logger: Logger): Transport {
  // Each scoring partition's subscription, reachable by its group name too.
  const scoringGroups = partitionGroups(config.SCORING_GROUP, config.SCORING_PARTITIONS);
  const scoringSubscriptions = partitionGroups(config.PUBSUB_SCORING_SUBSCRIPTION, config.SCORING_PARTITIONS);
  return new PubSubTransport({
    logger,
    projectId: config.PUBSUB_PROJECT,
    topic: config.PUBSUB_TOPIC,
    subscriptions: {
      [config.INGEST_GROUP]: config.PUBSUB_INGEST_SUBSCRIPTION,
      [config.PUBSUB_INGEST_SUBSCRIPTION]: config.PUBSUB_INGEST_SUBSCRIPTION,
      ...Object.fromEntries(scoringSubscriptions.flatMap((subscription, k) => [[scoringGroups[k], subscription], [subscription, subscription]])),
    },
    defaultTenant: config.PUBSUB_TENANT,
    maxMessages: config.PUBSUB_MAX_MESSAGES,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}
