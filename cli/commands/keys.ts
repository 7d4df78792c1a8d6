import type { Command } from 'commander';
import { checkTenant, parseScopes } from '../../core/api-key';
import { NotFoundError } from '../../core/errors';
import type { ApiKeyRecord } from '../../core/store/api-key-record';
import { createApiKey } from '../../core/store/create-api-key';
import { listApiKeys } from '../../core/store/list-api-keys';
import { revokeApiKey } from '../../core/store/revoke-api-key';
import { createContext, type CliContext } from '../context';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys');

  keys
    .command('create')
    .description('create an API key and print it (once: only a hash of its secret is stored)')
    .requiredOption('--tenant <tenant>', 'tenant the key acts for (fixes the tenant of everything sent with it)')
    .requiredOption('--scopes <list>', 'comma-separated scopes: ingest, predict, read, admin')
    .option('--name <name>', 'a note saying who or what uses the key')
    .action((opts: { tenant: string; scopes: string; name?: string }) =>
      withContext('keys', async ({ db }) => {
        const input = { tenant: checkTenant(opts.tenant), scopes: parseScopes(opts.scopes), name: opts.name };
        const created = await createApiKey(db, input);
        // The key alone on standard output, so scripts can capture it; the reminder goes to stderr.
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(`key ${created.id} for tenant ${created.tenant} (${created.scopes.join(',')}): store it now, it cannot be shown again\n`);
      }),
    );

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--tenant <tenant>', 'only this tenant\'s keys')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { tenant?: string; json?: boolean }) =>
      withContext('keys', async ({ db }) => {
        const list = await listApiKeys(db, opts.tenant);
        process.stdout.write(opts.json ? `${JSON.stringify(list, null, 2)}\n` : keysTable(list));
      }),
    );

  keys
    .command('revoke')
    .description('revoke an API key: requests with it are refused from now on')
    .argument('<id>', 'the key id (the part between fc_ and the next _)')
    .action((id: string) =>
      withContext('keys', async ({ db }) => {
        if (!(await revokeApiKey(db, id))) throw new NotFoundError(`no active API key with id ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      }),
    );
}

async function withContext(role: string, work: (ctx: CliContext) => Promise<void>): Promise<void> {
  const ctx = createContext(role);
  try {
    await work(ctx);
  } finally {
    await ctx.db.destroy();
  }
}

function keysTable(list: ApiKeyRecord[]): string {
  const header = ['id', 'tenant', 'scopes', 'name', 'created', 'revoked'];
  const rows = list.map((k) => [
    k.id,
    k.tenant,
    k.scopes.join(','),
    k.name ?? '',
    k.createdAt.toISOString(),
    k.revokedAt?.toISOString() ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
