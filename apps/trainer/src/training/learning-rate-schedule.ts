/** Linear warm-up to the peak, then cosine decay to `finalFraction` of it at `totalSteps`. */
export function learningRateAt(
  step: number,
  options: { peak: number; warmupSteps: number; totalSteps: number; finalFraction: number },
): number {
  const { peak, warmupSteps, totalSteps, finalFraction } = options;
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  const floor = peak * finalFraction;
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}
