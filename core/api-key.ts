import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors';

/**
 * The API key format: `fc_<id>_<secret>`. The id is public (it names the key in lists and logs);
 * only a SHA-256 of the secret is stored, so a leaked table does not leak usable keys.
 */
export const apiKeyScopes = ['ingest', 'predict', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

const prefix = 'fc';
// Hex ids never contain `_`, so the first two underscores always delimit the id; the secret
// (base64url) may contain `_` itself.
const idPattern = /^[0-9a-f]{16}$/;

export interface ParsedApiKey {
  id: string;
  secret: string;
}

export interface NewApiKey extends ParsedApiKey {
  /** The full key, shown once to whoever created it. */
  key: string;
  secretHash: string;
}

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (apiKeyScopes as readonly string[]).includes(value);
}

/** Parses `ingest,read` into scopes; throws naming the unknown one. */
export function parseScopes(list: string): ApiKeyScope[] {
  const names = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw invalid('scopes', `no scope given; choose from ${apiKeyScopes.join(', ')}`);
  const unknown = names.find((s) => !isApiKeyScope(s));
  if (unknown !== undefined) throw invalid('scopes', `unknown scope "${unknown}"; known scopes: ${apiKeyScopes.join(', ')}`);
  return names as ApiKeyScope[];
}

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Tenants name data partitions and log lines, so they are kept to a plain, bounded form. */
export function checkTenant(tenant: string): string {
  if (!tenantPattern.test(tenant)) {
    throw invalid('tenant', `tenant ${JSON.stringify(tenant)} is invalid: expected 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return tenant;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(message, [{ path, message }]);
}

/** `admin` holds every scope: an operator's key must not be refused by its own service. */
export function grantsScope(scopes: readonly string[], wanted: ApiKeyScope): boolean {
  return scopes.includes(wanted) || scopes.includes('admin');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): NewApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `${prefix}_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key into id and secret, or undefined when it is not of our format. */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const first = key.indexOf('_');
  const second = key.indexOf('_', first + 1);
  if (first < 0 || second < 0 || key.slice(0, first) !== prefix) return undefined;
  const id = key.slice(first + 1, second);
  const secret = key.slice(second + 1);
  if (!idPattern.test(id) || secret.length === 0) return undefined;
  return { id, secret };
}

/** Compares in constant time, so response timing reveals nothing about the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
