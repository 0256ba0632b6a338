/**
 * Clicks told from drags on the view (no DOM): a left press released near where it went down is a click, wherever
 * the release happens; more movement is a drag; other buttons, cancelled presses and releases of no press are
 * not clicks, each with its own outcome.
 */
import { describe, expect, it } from 'vitest';
import { CLICK_MOVE_PIXELS, ClickGesture } from '../src/app/click-gesture.js';

describe('ClickGesture', () => {
  it('takes a left press released within the move threshold as a click at the release position', () => {
    const gesture = new ClickGesture();
    gesture.press(1, 0, 100, 200);
    expect(gesture.isPressed(1)).toBe(true);
    expect(gesture.release(1, 0, 102.5, 201)).toEqual({ kind: 'click', x: 102.5, y: 201 });
    expect(gesture.isPressed(1)).toBe(false);
    // The press is used up: a second release is of no press.
    expect(gesture.release(1, 0, 102.5, 201)).toEqual({ kind: 'unpressed' });
  });

  it('takes a press that moved past the threshold as a drag, with its distance', () => {
    const gesture = new ClickGesture();
    gesture.press(1, 0, 0, 0);
    expect(gesture.release(1, 0, 30, 40)).toEqual({ kind: 'drag', distance: 50 });
    gesture.press(1, 0, 0, 0);
    expect(gesture.release(1, 0, CLICK_MOVE_PIXELS, 0).kind).toBe('click');
    gesture.press(1, 0, 0, 0);
    expect(gesture.release(1, 0, CLICK_MOVE_PIXELS + 0.5, 0).kind).toBe('drag');
  });

  it('follows each pointer on its own', () => {
    const gesture = new ClickGesture();
    gesture.press(1, 0, 10, 10);
    gesture.press(2, 0, 500, 500);
    expect(gesture.release(2, 0, 501, 500)).toEqual({ kind: 'click', x: 501, y: 500 });
    expect(gesture.release(1, 0, 80, 10)).toEqual({ kind: 'drag', distance: 70 });
  });

  it('ignores other buttons, cancelled presses and releases of pointers it never saw pressed', () => {
    const gesture = new ClickGesture();
    gesture.press(1, 2, 10, 10);
    expect(gesture.isPressed(1)).toBe(false);
    expect(gesture.release(1, 2, 10, 10)).toEqual({ kind: 'unpressed' });
    gesture.press(1, 0, 10, 10);
    // A release of another button does not end the left press.
    expect(gesture.release(1, 2, 10, 10)).toEqual({ kind: 'unpressed' });
    expect(gesture.cancel(1)).toBe(true);
    expect(gesture.cancel(1)).toBe(false);
    expect(gesture.release(1, 0, 10, 10)).toEqual({ kind: 'unpressed' });
    expect(gesture.release(7, 0, 10, 10)).toEqual({ kind: 'unpressed' });
  });
});
