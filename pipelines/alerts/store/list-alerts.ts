import type { Knex } from 'knex';
import type { AlertKind, AlertState } from '../alert';
import type { AlertRow } from '../alert-row';

export interface AlertQuery {
  tenant: string;
  states?: AlertState[];
  kind?: AlertKind;
  subjectType?: string;
  subjectId?: string;
  /** Keyset pagination: only alerts with a smaller id. */
  beforeId?: string;
  limit: number;
}

/** A tenant's alerts, newest first. */
export async function listAlerts(db: Knex, q: AlertQuery): Promise<AlertRow[]> {
  const query = db<AlertRow>('alerts').where('tenant', q.tenant).orderBy('id', 'desc').limit(q.limit);
  if (q.states?.length) query.whereIn('state', q.states);
  if (q.kind) query.where('kind', q.kind);
  if (q.subjectType) query.where('subject_type', q.subjectType);
  if (q.subjectId) query.where('subject_id', q.subjectId);
  if (q.beforeId) query.where('id', '<', q.beforeId);
  return (await query) as AlertRow[];
}
