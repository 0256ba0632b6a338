/**
 * The adaptive point budget (issue 18): the user's budget is a ceiling, and the points actually drawn per frame
 * (the effective budget) follow the measured frame time towards a target. Pure logic — the page feeds it frame
 * times and point counts; nothing here knows of the DOM, WebGL or a clock.
 *
 * - A frame slower than the target lowers the budget at once, in proportion: to the points that frame drew times
 *   `target / frame time` times {@link LOWERING_MARGIN} (frame time is about proportional to the points drawn in
 *   software rendering, and a slow frame is what delays a click).
 * - Frames faster than {@link RAISING_FRACTION} of the target, {@link RAISING_FRAMES} in a row, each drawing (about)
 *   the whole effective budget, raise it by {@link RAISING_FACTOR} — never past the proportional estimate of what
 *   fits the target. Between the two thresholds nothing changes: that band is the hysteresis that keeps the budget
 *   from oscillating around the target.
 * - The effective budget stays within [floor, ceiling] (the floor is lowered to the ceiling when above it).
 */

/** The proportional estimate is scaled by this when lowering, so the next frame lands below the target. */
export const LOWERING_MARGIN = 0.8;
/** Frames faster than this fraction of the target count towards a raise. */
export const RAISING_FRACTION = 0.5;
/** Consecutive fast frames needed before a raise. */
export const RAISING_FRAMES = 3;
/** A raise multiplies the effective budget by at most this. */
export const RAISING_FACTOR = 1.25;
/** A frame counts as budget-limited (its speed says something about a larger budget) above this share of it. */
const BUDGET_LIMITED_SHARE = 0.9;

/** Settings of a {@link FrameBudgetController}. */
export interface FrameBudgetSettings {
  /** Frame time aimed at, milliseconds (0 or less: no adaptation, the effective budget is the ceiling). */
  targetMilliseconds: number;
  /** Largest effective budget: the user's budget, points. */
  ceilingPoints: number;
  /** Smallest effective budget, points. */
  floorPoints: number;
}

/** Follows frame times with an effective point budget between a floor and the user's budget (see the module). */
export class FrameBudgetController {
  private target: number;
  private ceiling: number;
  private readonly floor: number;
  private effective: number;
  private fastFrames = 0;

  constructor(settings: FrameBudgetSettings) {
    for (const [field, value] of Object.entries(settings)) {
      if (!Number.isFinite(value)) throw new RangeError(`FrameBudgetController: ${field} must be a finite number, got ${value}`);
    }
    if (settings.ceilingPoints < 1 || settings.floorPoints < 1) throw new RangeError(`FrameBudgetController: ceilingPoints and floorPoints must be at least 1 point, got ${settings.ceilingPoints} and ${settings.floorPoints}`);
    this.target = settings.targetMilliseconds;
    this.ceiling = Math.round(settings.ceilingPoints);
    this.floor = Math.round(settings.floorPoints);
    this.effective = this.ceiling;
  }

  /** Points the next frame may draw, within [{@link floorPoints}, {@link ceilingPoints}]. */
  get effectiveBudget(): number {
    return this.effective;
  }

  /** The user's budget, points. */
  get ceilingPoints(): number {
    return this.ceiling;
  }

  /** Smallest effective budget, points (the configured floor, or the ceiling when that is lower). */
  get floorPoints(): number {
    return Math.min(this.floor, this.ceiling);
  }

  /** Frame time aimed at, milliseconds (0: adaptation off). */
  get targetMilliseconds(): number {
    return this.target;
  }

  /** Whether frame times change the effective budget. */
  get isAdaptive(): boolean {
    return this.target > 0;
  }

  /**
   * A new user budget: the effective budget keeps its value when it fits under the new ceiling (a raised ceiling
   * is reached through fast frames, not at once), or becomes the ceiling; without adaptation it is the ceiling.
   */
  setCeiling(points: number): void {
    if (!Number.isFinite(points) || points < 1) throw new RangeError(`FrameBudgetController: ceilingPoints must be at least 1 point, got ${points}`);
    this.ceiling = Math.round(points);
    this.effective = this.isAdaptive ? this.clamp(Math.min(this.effective, this.ceiling)) : this.ceiling;
    this.fastFrames = 0;
  }

  /** A new target, milliseconds (0 or less turns adaptation off and restores the ceiling). */
  setTarget(milliseconds: number): void {
    if (!Number.isFinite(milliseconds)) throw new RangeError(`FrameBudgetController: targetMilliseconds must be a finite number, got ${milliseconds}`);
    this.target = milliseconds;
    if (!this.isAdaptive) this.effective = this.ceiling;
    this.fastFrames = 0;
  }

  /**
   * Records one drawn frame: `frameMilliseconds` from the start of its draw until it was presented, having drawn
   * `drawnPoints` points. Returns whether the effective budget changed. Frames that drew nothing, or whose time is
   * not a finite positive number, are ignored.
   */
  recordFrame(frameMilliseconds: number, drawnPoints: number): boolean {
    if (!this.isAdaptive || !(frameMilliseconds > 0) || !Number.isFinite(frameMilliseconds) || !(drawnPoints > 0)) return false;
    const fitting = (drawnPoints * this.target) / frameMilliseconds;
    if (frameMilliseconds > this.target) {
      this.fastFrames = 0;
      return this.change(Math.min(this.effective, Math.floor(fitting * LOWERING_MARGIN)));
    }
    const budgetLimited = drawnPoints >= this.effective * BUDGET_LIMITED_SHARE;
    if (frameMilliseconds >= this.target * RAISING_FRACTION || !budgetLimited || this.effective >= this.ceiling) {
      this.fastFrames = 0;
      return false;
    }
    if (++this.fastFrames < RAISING_FRAMES) return false;
    this.fastFrames = 0;
    return this.change(Math.max(this.effective, Math.min(Math.ceil(this.effective * RAISING_FACTOR), Math.floor(fitting * LOWERING_MARGIN))));
  }

  private change(points: number): boolean {
    const next = this.clamp(points);
    const changed = next !== this.effective;
    this.effective = next;
    return changed;
  }

  private clamp(points: number): number {
    return Math.max(this.floorPoints, Math.min(this.ceiling, points));
  }
}
