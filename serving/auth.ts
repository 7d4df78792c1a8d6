import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { grantsScope, parseApiKey, secretMatches, type ApiKeyScope } from '../core/api-key';
import type { Db } from '../core/db';
import { ForbiddenError, UnauthorizedError } from '../core/errors';
import { findApiKey, type StoredApiKey } from '../core/store/find-api-key';

/** Who is calling: fixed by the API key, never by anything in the payload. */
export interface Principal {
  keyId: string;
  tenant: string;
  scopes: readonly ApiKeyScope[];
}

const unknownKey = 'unknown API key: send a key printed by `flowcast keys create` in the x-api-key header';

export interface Auth {
  /** Refuses the request unless it carries a live key holding `scope` (admin holds every scope). */
  requireScope(scope: ApiKeyScope): RequestHandler;
  /**
   * The principal of a request whose key is in the cache, live and holding `scope`, without
   * waiting on anything; undefined in every other case (requireScope then decides, and explains).
   */
  peek(headers: IncomingHttpHeaders, scope: ApiKeyScope): Principal | undefined;
}

export interface AuthOptions {
  /**
   * How long a key looked up in Postgres is reused without asking again; default 5 s. A revoked
   * key is refused at the latest this long after `keys revoke`. Unknown ids are never cached, so
   * a key works the moment it is created.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

export function createAuth(db: Db, options: AuthOptions = {}): Auth {
  const { lookup, cached } = cachedLookup(db, options.cacheTtlMs ?? 5_000, options.now ?? Date.now);
  return {
    peek: (headers, scope) => {
      const key = keyIn(headers);
      const parsed = key === undefined ? undefined : parseApiKey(key);
      const stored = parsed ? cached(parsed.id) : undefined;
      if (!parsed || !stored || stored.revokedAt || !grantsScope(stored.scopes, scope) || !secretMatches(parsed.secret, stored.secretHash)) return undefined;
      return { keyId: stored.id, tenant: stored.tenant, scopes: stored.scopes };
    },
    requireScope: (scope) => async (req, res, next) => {
      const principal = await authenticate(lookup, presentedKey(req));
      if (!grantsScope(principal.scopes, scope)) {
        throw new ForbiddenError(
          `API key ${principal.keyId} lacks the "${scope}" scope needed for ${req.method} ${req.baseUrl}${req.path} (it has: ${principal.scopes.join(', ')})`,
        );
      }
      res.locals.principal = principal;
      next();
    },
  };
}

/** The principal requireScope fixed for this request. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('no principal on this request: the route lacks requireScope()');
  return principal;
}

function presentedKey(req: Request): string {
  const key = keyIn(req.headers);
  if (key !== undefined) return key;
  throw new UnauthorizedError('missing API key: send it in the x-api-key header (or as Authorization: Bearer <key>)');
}

/** The key in x-api-key, else in Authorization: Bearer; undefined when neither has one. */
function keyIn(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value) return value.trim();
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return bearer?.[1] || undefined;
}

type KeyLookup = (id: string) => Promise<StoredApiKey | undefined>;

// Every request would otherwise cost a Postgres round trip before any work is done.
function cachedLookup(db: Db, ttlMs: number, now: () => number): { lookup: KeyLookup; cached: (id: string) => StoredApiKey | undefined } {
  const cache = new Map<string, { key: StoredApiKey; until: number }>();
  const cached = (id: string) => {
    const hit = cache.get(id);
    return hit && hit.until > now() ? hit.key : undefined;
  };
  return {
    cached,
    lookup: async (id) => {
      const hit = cached(id);
      if (hit) return hit;
      const key = await findApiKey(db, id);
      if (key) cache.set(id, { key, until: now() + ttlMs });
      else cache.delete(id);
      return key;
    },
  };
}

async function authenticate(lookup: KeyLookup, key: string): Promise<Principal> {
  const parsed = parseApiKey(key);
  if (!parsed) throw new UnauthorizedError(`${unknownKey} (expected the form fc_<id>_<secret>)`);
  const stored = await lookup(parsed.id);
  // The secret is checked before anything else is revealed about the key.
  if (!stored || !secretMatches(parsed.secret, stored.secretHash)) throw new UnauthorizedError(unknownKey);
  if (stored.revokedAt) throw new UnauthorizedError(`API key ${stored.id} was revoked on ${stored.revokedAt.toISOString()}`);
  return { keyId: stored.id, tenant: stored.tenant, scopes: stored.scopes };
}
