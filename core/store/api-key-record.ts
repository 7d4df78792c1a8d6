import type { ApiKeyScope } from '../api-key';

/** An API key as stored: never its secret, only the secret's SHA-256. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  scopes: ApiKeyScope[];
  name: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiKeyRow {
  id: string;
  tenant: string;
  secret_hash: string;
  scopes: string[];
  name: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

export const apiKeyColumns = ['id', 'tenant', 'scopes', 'name', 'created_at', 'revoked_at'] as const;

export function toApiKeyRecord(row: Omit<ApiKeyRow, 'secret_hash'>): ApiKeyRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    scopes: row.scopes as ApiKeyScope[],
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
