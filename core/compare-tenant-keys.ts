/**
 * Orders (tenant, key) pairs by tenant, then key, by code unit: the one order in which every
 * writer takes row locks, so concurrent consumers never deadlock each other.
 */
export function compareTenantKeys(tenantA: string, keyA: string, tenantB: string, keyB: string): number {
  if (tenantA !== tenantB) return tenantA < tenantB ? -1 : 1;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}
