import type { Knex } from 'knex';

/** Revokes a key from now on. Returns false when no key has that id or it was already revoked. */
export async function revokeApiKey(db: Knex, id: string): Promise<boolean> {
  const count = await db('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  return count > 0;
}
