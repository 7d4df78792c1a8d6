/** The metrics both models get on the one holdout they are judged on. */
export interface HoldoutScore {
  rows: number;
  auc: number;
  prAuc: number;
  brier: number;
  mae: number;
}

export interface PromotionMargins {
  /** The challenger's AUC must beat the champion's by at least this. */
  minAucGain: number;
  /** The challenger's Brier may be at most this much worse. */
  maxBrierLoss: number;
}

export interface Decision {
  promote: boolean;
  explanation: string;
}

const f = (x: number) => x.toFixed(4);

/**
 * Champion/challenger: promote only a challenger that ranks legs better (AUC) by the margin
 * without being worse calibrated (Brier) beyond its tolerance. Without a champion the bar is a
 * constant guess (AUC 0.5), so a model that learned nothing never reaches serving.
 */
export function decidePromotion(challenger: HoldoutScore, champion: HoldoutScore | undefined, m: PromotionMargins): Decision {
  if (!Number.isFinite(challenger.auc)) return { promote: false, explanation: 'the holdout has only one class: AUC is undefined, nothing can be judged' };
  if (!champion) {
    const promote = challenger.auc >= 0.5 + m.minAucGain;
    return {
      promote,
      explanation: `no champion: challenger AUC ${f(challenger.auc)} ${promote ? '≥' : '<'} 0.5 + ${m.minAucGain} (a constant guess plus the margin)`,
    };
  }
  const gain = challenger.auc - champion.auc;
  const brierLoss = challenger.brier - champion.brier;
  const aucOk = gain >= m.minAucGain;
  const brierOk = brierLoss <= m.maxBrierLoss;
  const parts = [
    `AUC ${f(challenger.auc)} vs ${f(champion.auc)} (gain ${f(gain)}, needs ≥ ${m.minAucGain})`,
    `Brier ${f(challenger.brier)} vs ${f(champion.brier)} (loss ${f(brierLoss)}, allowed ≤ ${m.maxBrierLoss})`,
  ];
  return { promote: aucOk && brierOk, explanation: `${aucOk && brierOk ? 'better' : 'not better'} on ${challenger.rows} holdout legs: ${parts.join('; ')}` };
}
