import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Every setting Flowcast reads from the environment. Each entry documents its default and its
 * meaning; README's configuration table is generated from this list (`flowcast config --markdown`).
 */
const int = (min: number) => z.coerce.number().int().min(min);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const settings = {
  DATABASE_URL: {
    schema: z.string().url(),
    default: 'postgres://flowcast@127.0.0.1:55432/flowcast',
    doc: 'PostgreSQL connection string (the default is the server `make up` starts).',
  },
  DATABASE_POOL_MAX: { schema: int(1), default: '10', doc: 'Most connections one process opens to PostgreSQL.' },
  REDIS_URL: {
    schema: z.string().url(),
    default: 'redis://127.0.0.1:56379',
    doc: 'Redis connection string (the default is the server `make up` starts).',
  },
  TRANSPORT: {
    schema: z.enum(['redis', 'pubsub']),
    default: 'redis',
    doc: 'Where reports travel between HTTP ingest, publishers and consumers: `redis` (Redis Streams) or `pubsub` (Google Cloud Pub/Sub).',
  },
  STREAM_KEY: { schema: z.string().min(1), default: 'flowcast:reports', doc: 'Redis stream that carries reports.' },
  STREAM_TRIM_INTERVAL_MS: {
    schema: int(100),
    default: '10000',
    doc: 'How often a consumer trims the Redis stream below the oldest entry any group still needs.',
  },
  STREAM_GROUPS: {
    schema: z.string().transform((v) => v.split(',').map((g) => g.trim()).filter(Boolean)),
    default: 'ingest,scoring',
    doc: 'Comma-separated consumer groups created on the Redis stream before anything is read, so a role that starts later still gets every message (trimming keeps what any group has not acknowledged).',
  },
  RECLAIM_IDLE_MS: {
    schema: int(100),
    default: '30000',
    doc: 'A message pending this long on a consumer is presumed orphaned (dead consumer) and reclaimed with XAUTOCLAIM.',
  },
  CONSUMER_NAME: {
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Name of this consumer inside its group; defaults to host name and process id.',
  },
  INGEST_GROUP: { schema: z.string().min(1), default: 'ingest', doc: 'Consumer group (Redis) of the ingest consumer.' },
  INGEST_BATCH_SIZE: { schema: int(1), default: '2000', doc: 'Most reports the ingest consumer commits in one batch.' },
  INGEST_BATCH_WAIT_MS: {
    schema: int(1),
    default: '50',
    doc: 'Longest the ingest consumer waits to fill a batch before committing what it has.',
  },
  MAX_REPORT_BYTES: { schema: int(256), default: '65536', doc: 'Largest single report accepted, in bytes; larger ones are dead-lettered.' },
  PARTITION_DAYS_AHEAD: {
    schema: int(1),
    default: '3',
    doc: 'Days of `reports` partitions kept created ahead of today (a report for a day without one creates it on the spot).',
  },
  PUBSUB_PROJECT: { schema: z.string().min(1), default: 'flowcast-local', doc: 'Google Cloud project of the Pub/Sub topic.' },
  PUBSUB_TOPIC: { schema: z.string().min(1), default: 'flowcast-reports', doc: 'Pub/Sub topic that carries reports.' },
  PUBSUB_INGEST_SUBSCRIPTION: {
    schema: z.string().min(1),
    default: 'flowcast-ingest',
    doc: 'Pub/Sub subscription of the ingest consumer.',
  },
  PUBSUB_TENANT: {
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Tenant of every message on the subscription, for a subscription dedicated to one tenant; otherwise the `tenant` attribute set by Flowcast publishers is used.',
  },
  PUBSUB_MAX_MESSAGES: { schema: int(1), default: '5000', doc: 'Flow control: most unacknowledged Pub/Sub messages held by one consumer.' },
  PUBSUB_EMULATOR_HOST: {
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'host:port of a Pub/Sub emulator; when set the client talks to it without credentials.',
  },
  FEATURE_ALLOWED_LATENESS_MS: {
    schema: int(0),
    default: '900000',
    doc: 'Rolling features: a report whose event time is this much older than the newest event time seen for its tenant still counts (15 min); older ones are counted as dropped-late (metric `flowcast_feature_dropped_late_total`) and logged.',
  },
  SCORING_GROUP: { schema: z.string().min(1), default: 'scoring', doc: 'Consumer group (Redis) of the scoring consumer (`flowcast score`).' },
  PUBSUB_SCORING_SUBSCRIPTION: {
    schema: z.string().min(1),
    default: 'flowcast-scoring',
    doc: 'Pub/Sub subscription of the scoring consumer (its own, so it never waits on ingest).',
  },
  SCORING_BATCH_SIZE: { schema: int(1), default: '1000', doc: 'Most reports the scoring consumer handles in one batch.' },
  SCORING_BATCH_WAIT_MS: { schema: int(1), default: '20', doc: 'Longest the scoring consumer waits to fill a batch (it bounds alert latency).' },
  DEVICE_SILENCE_SWEEP_MS: {
    schema: int(100),
    default: '15000',
    doc: 'How often `flowcast score` looks for devices silent longer than their tenant\'s `deviceSilentMinutes`.',
  },
  ALERT_RULES_CACHE_MS: { schema: int(0), default: '5000', doc: 'How long a consumer keeps a tenant\'s alert rules before reading them again.' },
  WEBHOOK_MAX_ATTEMPTS: { schema: int(1), default: '8', doc: 'Tries of one webhook delivery before it is given up and shown as failed.' },
  WEBHOOK_BACKOFF_MS: { schema: int(1), default: '1000', doc: 'Delay before the first webhook retry; doubled at each further try.' },
  WEBHOOK_TIMEOUT_MS: { schema: int(100), default: '5000', doc: 'Longest wait for a webhook receiver\'s answer.' },
  WEBHOOK_STALE_MS: {
    schema: int(1000),
    default: '60000',
    doc: 'A webhook delivery still pending this long after its last change is enqueued again (its job may have been lost).',
  },
  API_RATE_LIMIT: {
    schema: int(1),
    default: '100000',
    doc: 'Requests one API key may make per `API_RATE_WINDOW_MS` on the alert, shipment and prediction routes (counted in Redis, shared by every API process); more get 429.',
  },
  API_RATE_WINDOW_MS: { schema: int(100), default: '60000', doc: 'Window of `API_RATE_LIMIT`.' },
  HTTP_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'Address the API listens on.' },
  HTTP_PORT: { schema: int(0), default: '8080', doc: 'Port the API listens on.' },
  HTTP_MAX_BODY_BYTES: { schema: int(1024), default: '5242880', doc: 'Largest request body `POST /v1/reports` accepts (5 MB).' },
  HTTP_MAX_REPORTS: { schema: int(1), default: '5000', doc: 'Most reports one `POST /v1/reports` may carry.' },
  METRICS_PORT: {
    schema: int(0),
    default: '9464',
    doc: 'Port on which long-running consumers serve Prometheus `/metrics` (0 picks a free port; the API serves `/metrics` itself).',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'pino log level.',
  },
  LOG_PRETTY: { schema: bool, default: 'false', doc: 'Human-readable one-line logs instead of JSON.' },
  SHUTDOWN_TIMEOUT_MS: {
    schema: int(100),
    default: '10000',
    doc: 'On SIGTERM, how long a process may take to finish its in-flight work before it exits anyway.',
  },
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** Reads and validates every setting; the first bad one throws a ConfigError naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings)) {
    const raw = env[name] === undefined || env[name] === '' ? setting.default : env[name];
    const parsed = (setting.schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const expected = parsed.error.issues[0]?.message ?? 'a valid value';
      throw new ConfigError(name, `${name}=${JSON.stringify(raw)} is invalid: ${expected} (${setting.doc})`);
    }
    out[name] = parsed.data;
  }
  return out as Config;
}

/** The configuration table of README.md. */
export function configMarkdown(): string {
  const rows = Object.entries(settings).map(
    ([name, s]) => `| \`${name}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.doc} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
