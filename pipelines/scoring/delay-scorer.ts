import type { ShipmentLeg } from '../../features/shipment-leg';

/** One leg to score with its rolling inputs, named `<role>:<feature>` as the delay model reads them. */
export interface LegToScore {
  leg: ShipmentLeg;
  rolling: Record<string, number | null>;
}

export interface FeatureContribution {
  feature: string;
  /**
   * Change of P(late) this input is responsible for: P(late) minus P(late) with the input at its
   * training mean (docs/MODEL.md, "Explanations"); towards late is positive.
   */
  contribution: number;
}

export interface DelayScore {
  pLate: number;
  delayP50Min: number;
  delayP90Min: number;
  /** The inputs that moved this prediction most, largest first (empty when not explained). */
  topFeatures: FeatureContribution[];
}

export interface ScoreOptions {
  /** Work out the top features (default true); without, every leg gets none, for less work. */
  explain?: boolean;
}

/**
 * The champion delay model as scoring and the prediction API use it. The implementation that
 * loads the champion from the model registry lives with models/ (issue 4); until a champion
 * exists there is no scorer, and predicted-delay alerts and `POST /v1/predictions/delay` say so.
 */
export interface DelayScorer {
  readonly modelName: string;
  readonly modelVersion: string;
  score(legs: LegToScore[], options?: ScoreOptions): Promise<DelayScore[]>;
}

/** Finds the current champion (re-asked now and then, so a promotion is picked up without a restart). */
export type DelayScorerSource = () => Promise<DelayScorer | undefined>;

/** The source to use while the registry offers no champion: there is none. */
export const noChampion: DelayScorerSource = async () => undefined;
