import { randomBytes } from 'node:crypto';
import knex from 'knex';
import { createDb, type Db } from '../../../core/db';
import { migrateToLatest } from '../../../core/migrate';

/**
 * Integration tests run against the real servers `scripts/with-servers.sh` provides
 * (DATABASE_URL / REDIS_URL). Each test file gets a database and Redis key prefix of its own, so
 * files never see each other's data.
 */
export function requireEnv(name: 'DATABASE_URL' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through scripts/with-servers.sh (make test)`);
  return value;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** Creates an empty database, migrates it, and returns a handle; drop() removes it. */
export async function createTestDatabase(prefix = 'fc_test'): Promise<TestDatabase> {
  const adminUrl = requireEnv('DATABASE_URL');
  const name = uniqueName(prefix).toLowerCase();
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [name]);
  await admin.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb({ url: url.toString(), poolMax: 5 });
  await migrateToLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      const again = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      await again.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await again.destroy();
    },
  };
}
