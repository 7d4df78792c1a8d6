import type { Knex } from 'knex';

// The model registry (issue 4): a model is a name (e.g. `delay`); each training run that
// finishes adds a version with what it was trained on, how and how well, and where its
// artifact lives. Exactly one version per model may be champion: serving loads it.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE models (
      name        text PRIMARY KEY,
      description text NOT NULL DEFAULT '',
      created_at  timestamptz NOT NULL DEFAULT now()
    )`);
  await db.raw(`
    CREATE TABLE model_versions (
      model_name      text NOT NULL REFERENCES models (name) ON DELETE CASCADE,
      version         integer NOT NULL CHECK (version > 0),
      created_at      timestamptz NOT NULL DEFAULT now(),
      tenant          text NOT NULL,
      data_from       timestamptz NOT NULL,
      data_to         timestamptz NOT NULL,
      features        jsonb NOT NULL,
      hyperparameters jsonb NOT NULL,
      metrics         jsonb NOT NULL,
      artifact_uri    text NOT NULL,
      status          text NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'champion', 'retired')),
      status_changed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (model_name, version),
      CHECK (data_to >= data_from)
    )`);
  await db.raw(`CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (model_name) WHERE status = 'champion'`);
  // Every status change, so a rollback knows which champion came before.
  await db.raw(`
    CREATE TABLE model_status_changes (
      id          bigserial PRIMARY KEY,
      model_name  text NOT NULL,
      version     integer NOT NULL,
      from_status text NOT NULL,
      to_status   text NOT NULL,
      reason      text NOT NULL,
      changed_at  timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (model_name, version) REFERENCES model_versions (model_name, version) ON DELETE CASCADE
    )`);
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE model_status_changes');
  await db.raw('DROP TABLE model_versions');
  await db.raw('DROP TABLE models');
}
