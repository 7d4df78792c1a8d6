import type { Knex } from 'knex';

// Retraining (issue 5): every run of the `retrain` queue, whatever asked for it, is kept with
// its parameters, data range, progress, the metrics of challenger and champion on one holdout,
// the decision and, when it failed, why. Drift checks are kept too, with what they measured.
export async function up(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE training_runs (
      id               bigserial PRIMARY KEY,
      model_name       text NOT NULL,
      tenant           text NOT NULL,
      status           text NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'promoted', 'kept-candidate', 'failed')),
      trigger          text NOT NULL CHECK (trigger IN ('cli', 'api', 'schedule', 'drift')),
      reason           text NOT NULL,
      parameters       jsonb NOT NULL DEFAULT '{}',
      data_from        timestamptz,
      data_to          timestamptz,
      holdout_from     timestamptz,
      progress_percent real NOT NULL DEFAULT 0,
      phase            text NOT NULL DEFAULT 'queued',
      version          integer,
      champion_before  integer,
      champion_after   integer,
      challenger_metrics jsonb,
      champion_metrics jsonb,
      decision         text,
      error            text,
      attempts         integer NOT NULL DEFAULT 0,
      worker           text,
      job_id           text,
      reference        jsonb,
      requested_at     timestamptz NOT NULL DEFAULT now(),
      started_at       timestamptz,
      finished_at      timestamptz,
      duration_ms      integer
    )`);
  await db.raw('CREATE INDEX training_runs_by_model ON training_runs (model_name, id DESC)');
  await db.raw(`
    CREATE TABLE drift_checks (
      id              bigserial PRIMARY KEY,
      model_name      text NOT NULL,
      version         integer,
      checked_at      timestamptz NOT NULL DEFAULT now(),
      window_from     timestamptz NOT NULL,
      window_to       timestamptz NOT NULL,
      predictions     integer NOT NULL,
      feature_psi     jsonb NOT NULL DEFAULT '{}',
      prediction_psi  double precision,
      outcomes        integer NOT NULL DEFAULT 0,
      live_auc        double precision,
      live_brier      double precision,
      drifted         boolean NOT NULL,
      reasons         jsonb NOT NULL DEFAULT '[]',
      run_id          bigint REFERENCES training_runs (id) ON DELETE SET NULL
    )`);
  await db.raw('CREATE INDEX drift_checks_by_model ON drift_checks (model_name, id DESC)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP TABLE drift_checks');
  await db.raw('DROP TABLE training_runs');
}
