import knex from 'knex';

/** Drops and re-creates a database next to `adminUrl`'s; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.raw('CREATE DATABASE ??', [name]);
  await admin.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
