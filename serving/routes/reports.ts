import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../core/config';
import type { Db } from '../../core/db';
import { NotReadyError, ReportsRejectedError, UnsupportedMediaTypeError } from '../../core/errors';
import { insertDeadLetters } from '../../core/store/insert-dead-letters';
import type { Transport } from '../../pipelines/transport';
import { principalOf, type Auth } from '../auth';
import type { HttpMetrics } from '../http-metrics';
import { parseReportBatch, type BatchFormat, type ParsedBatch, type RejectedItem } from '../parse-report-batch';

export interface ReportsRouteDeps {
  config: Pick<Config, 'HTTP_MAX_BODY_BYTES' | 'HTTP_MAX_REPORTS' | 'MAX_REPORT_BYTES'>;
  db: Db;
  transport: Pick<Transport, 'publish'>;
  logger: Logger;
  auth: Auth;
  metrics: HttpMetrics;
}

/** The answer to an accepted request (202). */
export interface IngestAnswer {
  accepted: number;
  rejected: { index: number; reason: RejectedItem['reason']; path: string; message: string }[];
}

const ndjsonTypes = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']);

/**
 * `POST /v1/reports`: one report, a JSON array or NDJSON. Valid reports are published with the
 * key's tenant; each invalid one goes to dead_letters and is listed in the answer. 202 when at
 * least one report was accepted; 400 (same listing, in error.details) when none was.
 */
export function reportsRouter(deps: ReportsRouteDeps): Router {
  const router = express.Router();
  // Raw bytes, so each NDJSON line is parsed on its own and stored as sent when rejected.
  const rawBody = express.raw({ type: () => true, limit: deps.config.HTTP_MAX_BODY_BYTES });
  router.post('/v1/reports', deps.auth.requireScope('ingest'), requireBatchFormat, rawBody, async (req, res) => {
    const tenant = principalOf(res).tenant;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const batch = parseReportBatch(body, res.locals.batchFormat as BatchFormat, {
      maxReports: deps.config.HTTP_MAX_REPORTS,
      maxReportBytes: deps.config.MAX_REPORT_BYTES,
    });
    await deadLetter(deps, tenant, batch.rejected);
    await publish(deps, tenant, batch);
    count(deps.metrics, batch);
    const answer = toAnswer(batch);
    if (answer.accepted === 0) throw new ReportsRejectedError(answer.rejected);
    res.status(202).json(answer);
  });
  return router;
}

/** Decided from the header before the body is read, so a wrong type costs no upload. */
const requireBatchFormat: RequestHandler = (req, res, next) => {
  const format = batchFormatOf(req);
  if (!format) {
    throw new UnsupportedMediaTypeError(
      `content-type ${JSON.stringify(req.get('content-type') ?? '')} is not accepted: send application/json (one report or an array) or application/x-ndjson (one report per line)`,
    );
  }
  res.locals.batchFormat = format;
  next();
};

function batchFormatOf(req: Request): BatchFormat | undefined {
  const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (ndjsonTypes.has(type)) return 'ndjson';
  if (type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type)) return 'json';
  return undefined;
}

// Stored before anything is published or answered: a rejection is never lost silently.
async function deadLetter(deps: ReportsRouteDeps, tenant: string, rejected: RejectedItem[]): Promise<void> {
  await insertDeadLetters(
    deps.db,
    rejected.map((r) => ({
      tenant,
      source: 'http',
      messageId: undefined,
      reason: r.reason,
      fieldPath: r.path,
      message: r.message,
      raw: r.raw,
    })),
  );
  for (const r of rejected) deps.metrics.deadLetters.inc({ reason: r.reason });
}

async function publish(deps: ReportsRouteDeps, tenant: string, batch: ParsedBatch): Promise<void> {
  try {
    await deps.transport.publish(batch.accepted.map((a) => ({ tenant, data: a.raw, orderingKey: a.report.deviceId })));
  } catch (err) {
    // A 503 tells the producer to retry the request; reports are deduplicated downstream.
    deps.logger.error({ err, reports: batch.accepted.length }, 'publishing reports failed');
    throw new NotReadyError('the report stream is unavailable right now: nothing of this request was accepted; retry it');
  }
}

function count(metrics: HttpMetrics, batch: ParsedBatch): void {
  if (batch.accepted.length) metrics.reports.inc({ outcome: 'accepted' }, batch.accepted.length);
  if (batch.rejected.length) metrics.reports.inc({ outcome: 'rejected' }, batch.rejected.length);
}

function toAnswer(batch: ParsedBatch): IngestAnswer {
  return {
    accepted: batch.accepted.length,
    rejected: batch.rejected.map(({ index, reason, path, message }) => ({ index, reason, path, message })),
  };
}
