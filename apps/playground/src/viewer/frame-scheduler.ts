/**
 * When the viewer draws: on demand only (a camera move, new data, a new budget), at most once per animation
 * frame. A data change can be held back for a short while (`hold`) so that one frame shows it together with the
 * change expected next — a click's marker with the mask the worker is about to send — instead of spending a
 * frame on each (a frame of a large cloud costs hundreds of milliseconds in software rendering, and the worker's
 * answer would wait for it). Camera moves and frames someone waits for are never held.
 */
export class FrameScheduler {
  private scheduled = false;
  private heldUntil = 0;
  private holdTimer?: ReturnType<typeof setTimeout>;
  private wantedWhileHeld = false;
  private readonly afterFrame: (() => void)[] = [];

  /**
   * @param draw Draws one frame; returns whether another frame is needed at once (nodes still waiting for upload).
   * @param now Milliseconds clock (tests pass their own).
   */
  constructor(
    private readonly draw: () => boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Asks for a frame; while held, the frame waits for the hold to end. */
  request(): void {
    if (this.isHeld) {
      this.wantedWhileHeld = true;
      return;
    }
    this.schedule();
  }

  /** Asks for a frame at the next animation frame, held or not (camera moves: the view must follow the pointer). */
  requestNow(): void {
    this.wantedWhileHeld = false;
    this.schedule();
  }

  /**
   * Holds requested frames back for at most `milliseconds` (until `release`): meant for the short wait between a
   * click and its answer, so the answer is not queued behind a frame and one frame shows both.
   */
  hold(milliseconds: number): void {
    this.heldUntil = this.now() + milliseconds;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), milliseconds);
  }

  /** Ends a hold; a frame asked for during it is drawn at the next animation frame. */
  release(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.heldUntil = 0;
    if (!this.wantedWhileHeld) return;
    this.wantedWhileHeld = false;
    this.schedule();
  }

  /** Whether requested frames are being held back. */
  get isHeld(): boolean {
    return this.now() < this.heldUntil;
  }

  /** Whether a frame is scheduled or held back (the drawn view is not yet what was asked for). */
  get isOutstanding(): boolean {
    return this.scheduled || this.wantedWhileHeld;
  }

  /** Calls `callback` after the next frame is drawn (asking for that frame, held or not). */
  afterNextFrame(callback: () => void): void {
    this.afterFrame.push(callback);
    this.requestNow();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      const another = this.draw();
      for (const callback of this.afterFrame.splice(0)) callback();
      if (another) this.requestNow();
    });
  }
}
