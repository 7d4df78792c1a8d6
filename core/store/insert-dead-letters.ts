import type { Knex } from 'knex';

export interface DeadLetter {
  tenant: string | undefined;
  /** Where it came from: the transport name, or `http`. */
  source: string;
  /** The transport's message id, so a redelivered message is stored once; undefined for HTTP. */
  messageId: string | undefined;
  /** Short stable reason: oversized, bad_json, schema, no_tenant, store_failed. */
  reason: string;
  /** Field path of the first problem, `` when it is about the whole payload. */
  fieldPath: string;
  message: string;
  raw: Buffer;
}

/** Stores rejected payloads where a person can inspect them. Returns how many were new. */
export async function insertDeadLetters(db: Knex, letters: DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const result = await db.raw(
    `INSERT INTO dead_letters (tenant, source, message_id, reason, field_path, message, raw)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[])
     ON CONFLICT (source, message_id) DO NOTHING`,
    [
      letters.map((l) => l.tenant ?? null),
      letters.map((l) => l.source),
      letters.map((l) => l.messageId ?? null),
      letters.map((l) => l.reason),
      letters.map((l) => l.fieldPath),
      letters.map((l) => l.message),
      letters.map((l) => l.raw),
    ] as unknown as Knex.RawBinding[],
  );
  return result.rowCount ?? 0;
}
