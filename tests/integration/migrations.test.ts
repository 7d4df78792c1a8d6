import { migrateToLatest, rollbackAll } from '../../core/migrate';
import { migrations } from '../../core/migrations';
import { createTestDatabase, type TestDatabase } from './support/test-env';

describe('migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('fc_migrate');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('migrate an empty database, then again with nothing left to do', async () => {
    // createTestDatabase already migrated once.
    const done = await t.db('knex_migrations').pluck('name');
    expect(done).toEqual(migrations.map(([name]) => name));
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('roll back to empty and migrate forward again', async () => {
    await rollbackAll(t.db);
    const tables = await t.db('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
    expect(tables.filter((n: string) => !n.startsWith('knex_'))).toEqual([]);
    expect(await migrateToLatest(t.db)).toHaveLength(migrations.length);
  });
});
