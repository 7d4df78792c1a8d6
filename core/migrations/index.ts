import type { Knex } from 'knex';
import * as m0001 from './0001-reports';
import * as m0002 from './0002-devices';
import * as m0003 from './0003-dead-letters';
import * as m0004 from './0004-api-keys';
import * as m0005 from './0005-shipments';
import * as m0006 from './0006-feature-tiles';
import * as m0007 from './0007-feature-tiles-fixed-point';
import * as m0008 from './0008-model-registry';
import * as m0009 from './0009-import-checkpoints';
import * as m0010 from './0010-leg-outcomes';
import * as m0015 from './0015-feature-entity-tiles';
import * as m0020 from './0020-alerts';
import * as m0021 from './0021-alert-rules';
import * as m0022 from './0022-webhooks';
import * as m0023 from './0023-predictions';
import * as m0030 from './0030-training-runs';
import * as m0031 from './0031-feature-events';
import * as m0032 from './0032-feature-retention';
import * as m0033 from './0033-feature-coarse-tiles';
import * as m0034 from './0034-device-events-from-reports';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** Numbered and append-only: never edit a migration that has landed, add the next one. */
export const migrations: ReadonlyArray<[string, Migration]> = [
  ['0001-reports', m0001],
  ['0002-devices', m0002],
  ['0003-dead-letters', m0003],
  ['0004-api-keys', m0004],
  ['0005-shipments', m0005],
  ['0006-feature-tiles', m0006],
  ['0007-feature-tiles-fixed-point', m0007],
  ['0008-model-registry', m0008],
  ['0009-import-checkpoints', m0009],
  ['0010-leg-outcomes', m0010],
  ['0015-feature-entity-tiles', m0015],
  ['0020-alerts', m0020],
  ['0021-alert-rules', m0021],
  ['0022-webhooks', m0022],
  ['0023-predictions', m0023],
  ['0030-training-runs', m0030],
  ['0031-feature-events', m0031],
  ['0032-feature-retention', m0032],
  ['0033-feature-coarse-tiles', m0033],
  ['0034-device-events-from-reports', m0034],
];
