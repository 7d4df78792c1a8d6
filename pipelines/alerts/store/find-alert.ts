import type { Knex } from 'knex';
import type { AlertRow } from '../alert-row';

/** One alert of one tenant; another tenant's id finds nothing. */
export async function findAlert(db: Knex, tenant: string, id: string): Promise<AlertRow | undefined> {
  return (await db<AlertRow>('alerts').where({ tenant, id }).first()) as AlertRow | undefined;
}
