import { retrainPercent } from './retrain-progress';

describe('retrainPercent', () => {
  it('grows through the phases of a run and never passes 99 before it is done', () => {
    const steps = [
      retrainPercent('starting', 0, 1),
      retrainPercent('features', 50, 100),
      retrainPercent('model: epoch 1/2', 5, 10),
      retrainPercent('model: epoch 2/2', 10, 10),
      retrainPercent('importance', 1, 1),
      retrainPercent('holdout', 1, 2),
      retrainPercent('registering', 1, 1),
    ];
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(steps[steps.length - 1]).toBeLessThanOrEqual(99);
  });

  it('places an epoch inside the epochs band by epoch and batch', () => {
    expect(retrainPercent('model: epoch 1/2', 0, 10)).toBe(40);
    expect(retrainPercent('model: epoch 2/2', 0, 10)).toBe(62.5);
    expect(retrainPercent('model: epoch 2/2', 10, 10)).toBe(85);
  });

  it('reads an unknown phase as 0 rather than guessing', () => {
    expect(retrainPercent('something new', 1, 2)).toBe(0);
  });
});
