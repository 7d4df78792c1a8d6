import type { Knex } from 'knex';
import { toApiKeyRecord, type ApiKeyRecord, type ApiKeyRow } from './api-key-record';

export interface StoredApiKey extends ApiKeyRecord {
  secretHash: string;
}

/**
 * Looks a key up by its public id, revoked or not (the caller decides what a revoked key means
 * and compares the secret in constant time: see core/api-key.ts).
 */
export async function findApiKey(db: Knex, id: string): Promise<StoredApiKey | undefined> {
  const row = (await db('api_keys').where({ id }).first()) as ApiKeyRow | undefined;
  return row ? { ...toApiKeyRecord(row), secretHash: row.secret_hash } : undefined;
}
