import { availableParallelism } from 'node:os';
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
  INGEST_BATCHES_IN_FLIGHT: {
    schema: int(1),
    default: '2',
    doc: 'Redis Streams: batches the ingest consumer handles at once, so reading the next overlaps committing one (with features on 2 vCPUs: ~20,600 reports/s with 2, ~16,000 with 1; docs/BENCHMARKS.md). Pub/Sub hands over one at a time.',
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
  FEATURE_RETENTION_DAYS: {
    schema: z.coerce.number().positive().optional(),
    default: undefined,
    doc: 'Rolling features: `flowcast features prune` deletes tiles older than this many days (at least the longest window + widest tile + allowed lateness: 168.5 h, just over 7 days, with the default features); device features are read from the reports themselves, which it keeps. Unset: nothing is deleted. Point-in-time reads reaching before what was pruned are refused.',
  },
  MODEL_ARTIFACTS_DIR: {
    schema: z.string().min(1),
    default: 'artifacts/models',
    doc: 'Folder where trained model artifacts are written and read (git-ignored), when no bucket is configured.',
  },
  MODEL_ARTIFACTS_BUCKET: {
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'Google Cloud Storage bucket for model artifacts (`gs://BUCKET/models/...`); when set it replaces the local folder.',
  },
  LATE_THRESHOLD_MIN: {
    schema: z.coerce.number().min(0),
    default: '15',
    doc: 'A leg is late when it arrives more than this many minutes after its planned arrival (the delay model\'s label).',
  },
  SCORING_GROUP: { schema: z.string().min(1), default: 'scoring', doc: 'Consumer group (Redis) of the scoring consumer (`flowcast score`).' },
  SCORING_PARTITIONS: {
    schema: int(1),
    default: '1',
    doc: 'Scoring processes that split the devices between them (`flowcast score --partition k`, one per k from 0): each reads the whole stream in a group (or subscription) of its own, `<group>-<k>of<N>`, and scores one Nth of the devices. Every process of every role must agree on it; on a change, delete the old groups (XGROUP DESTROY) or they hold back trimming.',
  },
  PUBSUB_SCORING_SUBSCRIPTION: {
    schema: z.string().min(1),
    default: 'flowcast-scoring',
    doc: 'Pub/Sub subscription of the scoring consumer (its own, so it never waits on ingest).',
  },
  SCORING_BATCH_SIZE: { schema: int(1), default: '1000', doc: 'Most reports the scoring consumer handles in one batch.' },
  SCORING_BATCH_WAIT_MS: { schema: int(1), default: '5', doc: 'Longest the scoring consumer waits to fill a batch (it bounds alert latency). Under load batches fill while earlier ones are handled; against 20 ms, 5 ms took alert p50 from 54–78 ms to 38–42 ms at 5,000 reports/s, for ~10 % more scorer CPU per report.' },
  DEVICE_SILENCE_SWEEP_MS: {
    schema: int(100),
    default: '15000',
    doc: 'How often `flowcast score` looks for devices silent longer than their tenant\'s `deviceSilentMinutes`.',
  },
  ARRIVAL_SWEEP_MS: {
    schema: int(100),
    default: '15000',
    doc: 'How often `flowcast score` resolves predicted-delay alerts left open on shipments that have arrived (one opened by a batch that raced the arrival\'s commit; an arrived shipment is no longer scored).',
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
  API_WORKERS: {
    schema: z.union([z.literal('auto'), int(1)]).transform((v) => (v === 'auto' ? availableParallelism() : v)),
    default: '1',
    doc: '`flowcast api` processes sharing the port (node:cluster), each a whole API with its own connections (`DATABASE_POOL_MAX` each) and caches; `auto`: one per CPU (the prediction benchmark\'s setting). Default 1: with several, one client\'s requests may reach processes that switch to a new champion a few milliseconds apart.',
  },
  PREDICT_BATCH_WAIT_MS: {
    schema: int(0).max(2),
    default: '0',
    doc: 'Longest a `POST /v1/predictions/delay` request waits for concurrent ones to share its batch (one feature read, one scoring call); 0: only requests arriving in the same event-loop tick share one. At most 2.',
  },
  PREDICT_BATCH_MAX_LEGS: { schema: int(1), default: '256', doc: 'A prediction batch starts as soon as it holds this many legs.' },
  ONLINE_FEATURE_CACHE_MS: {
    schema: int(0),
    default: '1000',
    doc: 'The prediction API reuses an entity\'s online features this long (never past its next tile boundary, when values move on): an event landing in an already closed tile reaches predictions at most this late. 0 reads them for every batch.',
  },
  RETRAIN_TENANT: { schema: z.string().min(1), default: 'flights', doc: 'Tenant whose labelled legs retraining learns from (`flowcast retrain`, schedules, drift).' },
  RETRAIN_QUEUE_PREFIX: { schema: z.string().min(1), default: 'bull', doc: 'Redis key prefix of the `retrain` and `retrain-triggers` BullMQ queues (separate deployments or tests sharing one Redis use different ones).' },
  RETRAIN_ATTEMPTS: { schema: int(1), default: '3', doc: 'Tries of one retrain job before it is recorded as failed.' },
  RETRAIN_BACKOFF_MS: { schema: int(1), default: '30000', doc: 'Delay before a failed retrain is tried again; doubled at each further try.' },
  RETRAIN_LOCK_MS: {
    schema: int(1000),
    default: '60000',
    doc: 'Lock of a running retrain job, renewed by its worker; a worker that dies holds it at most this long before another worker takes the job over.',
  },
  RETRAIN_STALLED_CHECK_MS: { schema: int(500), default: '15000', doc: 'How often a retrain worker looks for jobs whose worker died (stalled jobs).' },
  RETRAIN_SCHEDULES: {
    schema: z.string().transform((v, ctx) => parseSchedules(v, ctx)),
    default: 'delay=0 3 * * 0',
    doc: 'Scheduled retraining: `model=cron` pairs separated by `;` (cron with optional seconds, UTC); empty for none. Default: the delay model every Sunday 03:00.',
  },
  RETRAIN_HOLDOUT_MAX_ROWS: { schema: int(100), default: '200000', doc: 'Most legs of the recent holdout on which challenger and champion are both scored.' },
  RETRAIN_MIN_AUC_GAIN: {
    schema: z.coerce.number(),
    default: '0.002',
    doc: 'A challenger is promoted only if its ROC AUC on the holdout beats the champion\'s by at least this much (with no champion: beats 0.5 by it).',
  },
  RETRAIN_MAX_BRIER_LOSS: {
    schema: z.coerce.number().min(0),
    default: '0',
    doc: 'A challenger is promoted only if its Brier score on the holdout is at most this much worse than the champion\'s.',
  },
  DRIFT_CHECK_EVERY_MS: { schema: int(1000), default: '3600000', doc: 'How often `flowcast worker` checks each model for drift (hourly).' },
  DRIFT_WINDOW_MS: { schema: int(1000), default: '86400000', doc: 'Drift compares the predictions of this recent window (24 h) with the champion\'s training data.' },
  DRIFT_MIN_PREDICTIONS: { schema: int(1), default: '500', doc: 'Fewest recent predictions for the population stability index to be judged.' },
  DRIFT_PSI_THRESHOLD: {
    schema: z.coerce.number().positive(),
    default: '0.25',
    doc: 'Population stability index of a feature or of P(late) above which the champion is considered drifted and a retrain is enqueued.',
  },
  DRIFT_MIN_OUTCOMES: { schema: int(1), default: '200', doc: 'Fewest predicted legs with a known arrival in the window for live AUC and Brier to be judged.' },
  DRIFT_MAX_AUC_DROP: {
    schema: z.coerce.number().min(0),
    default: '0.05',
    doc: 'Live ROC AUC this far below the champion\'s holdout AUC enqueues a retrain.',
  },
  DRIFT_MAX_BRIER_RISE: {
    schema: z.coerce.number().min(0),
    default: '0.03',
    doc: 'Live Brier score this far above the champion\'s holdout Brier enqueues a retrain.',
  },
  CHAMPION_POLL_MS: {
    schema: int(100),
    default: '30000',
    doc: 'Serving processes hear of a new champion at once through Redis pub/sub; they also ask the registry this often, in case a notice was missed.',
  },
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

/** `model=cron;model=cron` → model → cron; a malformed pair is a configuration error. */
function parseSchedules(v: string, ctx: z.RefinementCtx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of v.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9_-]+)\s*=\s*(\S.*)$/i.exec(pair);
    if (!m) ctx.addIssue({ code: 'custom', message: `"${pair}" is not model=cron` });
    else out[m[1] as string] = (m[2] as string).trim();
  }
  return out;
}

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
