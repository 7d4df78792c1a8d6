import type { Command } from 'commander';
import { migrateToLatest } from '../../core/migrate';
import { ensureUpcomingPartitions } from '../../core/store/ensure-report-partitions';
import { createContext } from '../context';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date and create the coming days\' report partitions')
    .action(async () => {
      const { config, db } = createContext('migrate');
      try {
        const applied = await migrateToLatest(db);
        await ensureUpcomingPartitions(db, config.PARTITION_DAYS_AHEAD);
        process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'schema up to date\n');
      } finally {
        await db.destroy();
      }
    });
}
