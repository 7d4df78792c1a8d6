import type { Knex } from 'knex';
import { apiKeyColumns, toApiKeyRecord, type ApiKeyRecord, type ApiKeyRow } from './api-key-record';

/** Every key (of one tenant when given), oldest first; secrets and their hashes are never read. */
export async function listApiKeys(db: Knex, tenant?: string): Promise<ApiKeyRecord[]> {
  const rows = (await db('api_keys')
    .select([...apiKeyColumns])
    .modify((q) => {
      if (tenant !== undefined) void q.where({ tenant });
    })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])) as Omit<ApiKeyRow, 'secret_hash'>[];
  return rows.map(toApiKeyRecord);
}
