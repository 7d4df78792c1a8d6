import { decidePromotion, type HoldoutScore } from './champion-decision';

const score = (auc: number, brier: number): HoldoutScore => ({ rows: 1000, auc, prAuc: 0, brier, mae: 0 });
const margins = { minAucGain: 0.01, maxBrierLoss: 0.001 };

describe('decidePromotion', () => {
  it('promotes a challenger better by the margin', () => {
    expect(decidePromotion(score(0.8, 0.15), score(0.78, 0.16), margins).promote).toBe(true);
  });

  it('keeps a challenger better by less than the margin', () => {
    const d = decidePromotion(score(0.785, 0.15), score(0.78, 0.16), margins);
    expect(d.promote).toBe(false);
    expect(d.explanation).toMatch(/not better.*AUC 0\.7850 vs 0\.7800/);
  });

  it('keeps a challenger that ranks better but is worse calibrated', () => {
    expect(decidePromotion(score(0.85, 0.2), score(0.78, 0.16), margins).promote).toBe(false);
  });

  it('without a champion, needs to beat a constant guess by the margin', () => {
    expect(decidePromotion(score(0.505, 0.2), undefined, margins).promote).toBe(false);
    expect(decidePromotion(score(0.7, 0.2), undefined, margins).promote).toBe(true);
  });

  it('never promotes on an undefined AUC', () => {
    expect(decidePromotion(score(Number.NaN, 0.1), undefined, margins).promote).toBe(false);
  });
});
