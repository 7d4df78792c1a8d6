import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../../core/db';
import { AlertStateError, NotFoundError } from '../../core/errors';
import type { AlertEvent } from '../../pipelines/alerts/alert';
import { toAlert } from '../../pipelines/alerts/alert-row';
import { alertRulesSchema } from '../../pipelines/alerts/alert-rules';
import { appendAlertEvents } from '../../pipelines/alerts/store/append-alert-events';
import { createWebhook } from '../../pipelines/alerts/store/create-webhook';
import { listAlerts } from '../../pipelines/alerts/store/list-alerts';
import { listWebhookDeliveries } from '../../pipelines/alerts/store/list-webhook-deliveries';
import { loadAlertRules } from '../../pipelines/alerts/store/load-alert-rules';
import { lastAlertEventSeq, readAlertEvents } from '../../pipelines/alerts/store/read-alert-events';
import { saveAlertRules } from '../../pipelines/alerts/store/save-alert-rules';
import { transitionAlert, type Transition } from '../../pipelines/alerts/store/transition-alert';
import type { AlertStreamHub } from '../alert-stream-hub';
import { alertIdParam, listAlertsQuery, transitionBody, webhookBody } from '../api-schemas';
import { principalOf, type Auth } from '../auth';
import { validate } from '../validate';

export interface AlertsRouteDeps {
  db: Db;
  logger: Logger;
  auth: Auth;
  limit: RequestHandler;
  hub: AlertStreamHub;
  /** Also announce API-made changes (acks, resolutions) to other processes' streams and webhooks. */
  afterChange: (events: { tenant: string; event: AlertEvent }[], deliveryIds: number[]) => Promise<void>;
  /** How often an SSE stream reads the log without being woken; default 1000 ms. */
  streamPollMs?: number;
}

/**
 * Alerts of the caller's tenant: list, acknowledge, resolve, the SSE stream; the tenant's rules
 * and webhooks (admin). Every query is bound to the key's tenant: another tenant's alert id is
 * simply not found.
 */
export function alertsRouter(deps: AlertsRouteDeps): Router {
  const router = express.Router();
  const json = express.json({ limit: '1mb' });
  const read = [deps.auth.requireScope('read'), deps.limit];
  const admin = [deps.auth.requireScope('admin'), deps.limit];

  router.get('/v1/alerts', ...read, async (req, res) => {
    const q = validate(listAlertsQuery, req.query, 'query');
    const rows = await listAlerts(deps.db, {
      tenant: principalOf(res).tenant, states: q.state, kind: q.kind, subjectType: q.subjectType, subjectId: q.subjectId, beforeId: q.before, limit: q.limit,
    });
    const alerts = rows.map(toAlert);
    res.json({ alerts, next: alerts.length === q.limit ? alerts[alerts.length - 1]!.id : null });
  });
  router.get('/v1/alerts/stream', ...read, (req, res) => streamAlerts(deps, req, res));
  router.post('/v1/alerts/:id/ack', ...read, json, (req, res) => transition(deps, req, res, 'acknowledge'));
  router.post('/v1/alerts/:id/resolve', ...read, json, (req, res) => transition(deps, req, res, 'resolve'));

  router.get('/v1/alert-rules', ...admin, async (_req, res) => {
    const tenant = principalOf(res).tenant;
    res.json((await loadAlertRules(deps.db, [tenant])).get(tenant));
  });
  router.put('/v1/alert-rules', ...admin, json, async (req, res) => {
    const rules = validate(alertRulesSchema, req.body, 'alert rules');
    const p = principalOf(res);
    await saveAlertRules(deps.db, p.tenant, rules, `key:${p.keyId}`);
    res.json(rules);
  });
  router.post('/v1/webhooks', ...admin, json, async (req, res) => {
    const body = validate(webhookBody, req.body, 'webhook');
    res.status(201).json(await createWebhook(deps.db, principalOf(res).tenant, body.url, body.secret));
  });
  router.get('/v1/webhooks/deliveries', ...admin, async (req, res) => {
    const state = ['pending', 'delivered', 'failed'].includes(String(req.query.state)) ? (req.query.state as 'failed') : undefined;
    res.json({ deliveries: await listWebhookDeliveries(deps.db, principalOf(res).tenant, state, 200) });
  });
  return router;
}

async function transition(deps: AlertsRouteDeps, req: Request, res: Response, what: Transition): Promise<void> {
  const { id } = validate(alertIdParam, req.params, 'path');
  const body = validate(transitionBody, req.body ?? {}, 'body');
  const p = principalOf(res);
  const actor = `key:${p.keyId}`;
  const outcome = await deps.db.transaction(async (trx) => {
    const t = await transitionAlert(trx, p.tenant, id, what, actor, body.reason ?? null);
    if (!t?.changed) return { t, events: [], deliveryIds: [] };
    const appended = await appendAlertEvents(trx, [{
      row: t.row, action: what === 'acknowledge' ? 'acknowledged' : 'resolved', fromState: t.fromState, actor, reason: body.reason ?? null,
    }]);
    return { t, ...appended };
  });
  if (!outcome.t) throw new NotFoundError(`alert ${id} not found`);
  if (!outcome.t.changed) {
    throw new AlertStateError(`alert ${id} is ${outcome.t.row.state}: it cannot be ${what === 'acknowledge' ? 'acknowledged' : 'resolved'}`, outcome.t.row.state);
  }
  await deps.afterChange(outcome.events, outcome.deliveryIds);
  res.json(toAlert(outcome.t.row));
}

/**
 * Server-sent events of the tenant's alert changes, each with `id: <event seq>`. A client that
 * reconnects with Last-Event-ID (header, or `?lastEventId=`) gets every event after it, read
 * from the durable log; without one the stream starts with the next new event.
 */
async function streamAlerts(deps: AlertsRouteDeps, req: Request, res: Response): Promise<void> {
  const tenant = principalOf(res).tenant;
  const given = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  let cursor = given !== undefined ? Number(validate(alertIdParam, { id: given }, 'Last-Event-ID').id) : await lastAlertEventSeq(deps.db, tenant);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 1000\n\n');
  let closed = false;
  let pumping = false;
  let again = false;
  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        for (;;) {
          const events = await readAlertEvents(deps.db, tenant, cursor, 500);
          if (closed || events.length === 0) break;
          for (const e of events) res.write(`id: ${e.eventId}\nevent: alert\ndata: ${JSON.stringify(e)}\n\n`);
          cursor = Number(events[events.length - 1]!.eventId);
        }
      } while (again && !closed);
    } catch (err) {
      deps.logger.warn({ err, tenant }, 'reading alert events for a stream failed; retrying at the next wake-up');
    } finally {
      pumping = false;
    }
  };
  const wake = () => void pump();
  const unsubscribe = deps.hub.subscribe(tenant, wake);
  const poll = setInterval(wake, deps.streamPollMs ?? 1000);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    closed = true;
    unsubscribe();
    clearInterval(poll);
    clearInterval(heartbeat);
  });
  await pump();
}
