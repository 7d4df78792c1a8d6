import type { Knex } from 'knex';
import { ModelRegistryError } from '../../core/errors';
import { artifactKeyBase } from './artifact-key';
import type { ArtifactStore } from './artifact-store';

export type ModelStatus = 'candidate' | 'champion' | 'retired';

export interface ModelVersion {
  model: string;
  version: number;
  createdAt: string;
  tenant: string;
  dataFrom: string;
  dataTo: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  artifactUri: string;
  status: ModelStatus;
}

export interface NewVersion {
  model: string;
  tenant: string;
  dataFrom: number;
  dataTo: number;
  features: string[];
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** Where the artifact is written; other databases' registries may share it (keys carry the content hash, see artifact-key.ts). */
  store: ArtifactStore;
  /** The serialized model: stored as `<model>/v<N>-<hash>.json`, its URI kept in the version's row and read back from there. */
  artifact: Buffer;
  /** Files kept beside the artifact, by name suffix (`.report.html` → `<model>/v<N>-<hash>.report.html`), made once the version number is known. */
  companions?: (version: number) => Record<string, Buffer>;
}

export interface RegisteredVersion extends ModelVersion {
  /** Where each companion went, by suffix. */
  companionUris: Record<string, string>;
}

interface VersionRow {
  model_name: string;
  version: number;
  created_at: Date;
  tenant: string;
  data_from: Date;
  data_to: Date;
  features: string[];
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  artifact_uri: string;
  status: ModelStatus;
}

const toVersion = (r: VersionRow): ModelVersion => ({
  model: r.model_name, version: r.version, createdAt: r.created_at.toISOString(), tenant: r.tenant,
  dataFrom: r.data_from.toISOString(), dataTo: r.data_to.toISOString(), features: r.features,
  hyperparameters: r.hyperparameters, metrics: r.metrics, artifactUri: r.artifact_uri, status: r.status,
});

/**
 * Records a new candidate version. The model's row is locked while the artifact is written, so
 * concurrent trainings of one model get consecutive versions; the artifact's key carries its
 * content hash, so registries of other databases sharing the store never overwrite it.
 */
export async function registerVersion(db: Knex, v: NewVersion): Promise<RegisteredVersion> {
  return db.transaction(async (trx) => {
    await trx.raw('INSERT INTO models (name) VALUES (?) ON CONFLICT DO NOTHING', [v.model]);
    await trx.raw('SELECT 1 FROM models WHERE name = ? FOR UPDATE', [v.model]);
    const { next } = (await trx('model_versions').where({ model_name: v.model }).max('version as max').first().then((r) => ({ next: Number(r?.max ?? 0) + 1 })));
    const keyBase = artifactKeyBase(v.model, next, v.artifact);
    const companionUris: Record<string, string> = {};
    for (const [suffix, bytes] of Object.entries(v.companions?.(next) ?? {})) companionUris[suffix] = await v.store.put(`${keyBase}${suffix}`, bytes);
    const artifactUri = await v.store.put(`${keyBase}.json`, v.artifact);
    const [row] = (await trx('model_versions').insert({
      model_name: v.model, version: next, tenant: v.tenant, data_from: new Date(v.dataFrom), data_to: new Date(v.dataTo),
      features: JSON.stringify(v.features), hyperparameters: JSON.stringify(v.hyperparameters), metrics: JSON.stringify(v.metrics),
      artifact_uri: artifactUri,
    }).returning('*')) as VersionRow[];
    return { ...toVersion(row as VersionRow), companionUris };
  });
}

export async function listVersions(db: Knex, model?: string): Promise<ModelVersion[]> {
  const q = db('model_versions').orderBy([{ column: 'model_name' }, { column: 'version', order: 'desc' }]);
  if (model) q.where({ model_name: model });
  return ((await q) as VersionRow[]).map(toVersion);
}

export async function getVersion(db: Knex, model: string, version: number): Promise<ModelVersion> {
  const row = (await db('model_versions').where({ model_name: model, version }).first()) as VersionRow | undefined;
  if (!row) throw new ModelRegistryError(`model ${model} has no version ${version}`);
  return toVersion(row);
}

export async function championOf(db: Knex, model: string): Promise<ModelVersion | undefined> {
  const row = (await db('model_versions').where({ model_name: model, status: 'champion' }).first()) as VersionRow | undefined;
  return row ? toVersion(row) : undefined;
}

async function setStatus(trx: Knex.Transaction, model: string, version: number, from: ModelStatus, to: ModelStatus, reason: string): Promise<void> {
  await trx('model_versions').where({ model_name: model, version }).update({ status: to, status_changed_at: trx.fn.now() });
  await trx('model_status_changes').insert({ model_name: model, version, from_status: from, to_status: to, reason });
}

/** Makes a version the champion; the previous champion is retired. */
export async function promote(db: Knex, model: string, version: number, reason = 'promoted by hand'): Promise<ModelVersion> {
  await db.transaction(async (trx) => {
    await trx.raw('SELECT 1 FROM models WHERE name = ? FOR UPDATE', [model]);
    const target = await getVersion(trx, model, version);
    if (target.status === 'champion') return;
    const current = await championOf(trx, model);
    if (current) await setStatus(trx, model, current.version, 'champion', 'retired', `replaced by version ${version}`);
    await setStatus(trx, model, version, target.status, 'champion', reason);
  });
  return getVersion(db, model, version);
}

/**
 * Retires the champion and restores the champion before it (the latest other version that
 * was ever promoted). Refused when there is none to go back to.
 */
export async function rollback(db: Knex, model: string, reason = 'rolled back by hand'): Promise<{ retired: ModelVersion; restored: ModelVersion }> {
  const result = await db.transaction(async (trx) => {
    await trx.raw('SELECT 1 FROM models WHERE name = ? FOR UPDATE', [model]);
    const current = await championOf(trx, model);
    if (!current) throw new ModelRegistryError(`model ${model} has no champion to roll back`, 409);
    const previous = (await trx('model_status_changes')
      .where({ model_name: model, to_status: 'champion' }).whereNot({ version: current.version })
      .orderBy('id', 'desc').first()) as { version: number } | undefined;
    if (!previous) throw new ModelRegistryError(`model ${model} has no earlier champion to restore`, 409);
    const before = await getVersion(trx, model, previous.version);
    await setStatus(trx, model, current.version, 'champion', 'retired', reason);
    await setStatus(trx, model, before.version, before.status, 'champion', `restored by rollback of version ${current.version}`);
    return { retired: current.version, restored: before.version };
  });
  return { retired: await getVersion(db, model, result.retired), restored: await getVersion(db, model, result.restored) };
}
