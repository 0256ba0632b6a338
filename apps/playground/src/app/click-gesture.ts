/**
 * Tells clicks from drags on the view, pointer by pointer (no DOM: the page feeds it its pointer events). A press
 * is a click when it is released within {@link CLICK_MOVE_PIXELS} of where it went down; its release is taken
 * wherever it happens (the page listens on the window, so a release outside the canvas still ends the press), and
 * a cancelled press is forgotten. Each outcome says what happened, so the page can say why a press was not a click.
 */

/** Most CSS pixels a press may move and still be a click (more is an orbit or a pan). */
export const CLICK_MOVE_PIXELS = 4;

/** What releasing a pointer meant. */
export type ReleaseOutcome =
  /** A click at (x, y), CSS pixels in the coordinates the events carry. */
  | { kind: 'click'; x: number; y: number }
  /** The pointer moved `distance` CSS pixels while down: an orbit or a pan, not a click. */
  | { kind: 'drag'; distance: number }
  /** No press of this pointer (the press began outside the view, with another button, or was cancelled). */
  | { kind: 'unpressed' };

/** Presses of the view's pointers, from down to up. */
export class ClickGesture {
  private readonly presses = new Map<number, { x: number; y: number }>();

  /** A pointer went down on the view: a left press (button 0) is followed until its release. */
  press(pointerId: number, button: number, x: number, y: number): void {
    if (button === 0) this.presses.set(pointerId, { x, y });
  }

  /** A pointer was released at (x, y): a click, a drag, or a release of no press followed here. */
  release(pointerId: number, button: number, x: number, y: number): ReleaseOutcome {
    const pressed = this.presses.get(pointerId);
    if (button !== 0 || !pressed) return { kind: 'unpressed' };
    this.presses.delete(pointerId);
    const distance = Math.hypot(x - pressed.x, y - pressed.y);
    return distance > CLICK_MOVE_PIXELS ? { kind: 'drag', distance } : { kind: 'click', x, y };
  }

  /** The browser cancelled the pointer (a touch turned into a scroll, the window lost it): its press is over. */
  cancel(pointerId: number): boolean {
    return this.presses.delete(pointerId);
  }

  /** Whether a press of `pointerId` is followed. */
  isPressed(pointerId: number): boolean {
    return this.presses.has(pointerId);
  }
}
