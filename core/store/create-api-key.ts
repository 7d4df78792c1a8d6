import type { Knex } from 'knex';
import { generateApiKey, type ApiKeyScope } from '../api-key';
import { apiKeyColumns, toApiKeyRecord, type ApiKeyRecord, type ApiKeyRow } from './api-key-record';

export interface CreateApiKeyInput {
  tenant: string;
  scopes: ApiKeyScope[];
  name?: string;
}

export interface CreatedApiKey extends ApiKeyRecord {
  /** The full key: returned here once and never stored. */
  key: string;
}

/** Creates a key for a tenant, storing only the SHA-256 of its secret. */
export async function createApiKey(db: Knex, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const generated = generateApiKey();
  const [row] = (await db('api_keys')
    .insert({
      id: generated.id,
      tenant: input.tenant,
      secret_hash: generated.secretHash,
      scopes: input.scopes,
      name: input.name ?? null,
    })
    .returning([...apiKeyColumns])) as Omit<ApiKeyRow, 'secret_hash'>[];
  if (!row) throw new Error('inserting the API key returned no row');
  return { ...toApiKeyRecord(row), key: generated.key };
}
