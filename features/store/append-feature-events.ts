import type { Knex } from 'knex';
import { copyField, copyInto } from '../../core/store/copy-into';
import type { EventRow } from '../event-row';

const columns = ['tenant', 'entity_type', 'entity_id', 'ts', 'v'];

/** Appends event rows to feature_events with one COPY (no upsert: each report is appended once, by its ingest transaction). */
export async function appendFeatureEvents(db: Knex, rows: readonly EventRow[]): Promise<void> {
  let text = '';
  for (const r of rows) {
    text += `${copyField(r.tenant)}\t${r.entity}\t${copyField(r.entityId)}\t${r.ts}\t{${r.v.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}\n`;
  }
  await copyInto(db, 'feature_events', columns, text);
}
