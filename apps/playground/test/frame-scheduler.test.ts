/**
 * The viewer's frame scheduling (no DOM: animation frames and the clock are stand-ins): frames on demand, at most
 * one per animation frame; a hold keeps data frames back until released or timed out, never camera frames or
 * frames someone waits for.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameScheduler } from '../src/viewer/frame-scheduler.js';

describe('FrameScheduler', () => {
  let animationFrames: FrameRequestCallback[] = [];
  let clock = 0;
  const runAnimationFrame = () => {
    const callbacks = animationFrames;
    animationFrames = [];
    for (const callback of callbacks) callback(clock);
  };
  beforeEach(() => {
    animationFrames = [];
    clock = 0;
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => animationFrames.push(callback));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function scheduler(another: () => boolean = () => false): { frames: FrameScheduler; drawn: () => number } {
    let drawn = 0;
    const frames = new FrameScheduler(() => {
      drawn++;
      return another();
    }, () => clock);
    return { frames, drawn: () => drawn };
  }

  it('draws one frame per animation frame however often it is asked, and none unasked', () => {
    const { frames, drawn } = scheduler();
    frames.request();
    frames.request();
    frames.requestNow();
    expect(frames.isOutstanding).toBe(true);
    runAnimationFrame();
    expect(drawn()).toBe(1);
    expect(frames.isOutstanding).toBe(false);
    runAnimationFrame();
    expect(drawn()).toBe(1);
  });

  it('asks for the next frame at once while the draw says nodes still wait for upload', () => {
    let waiting = 2;
    const { drawn, frames } = scheduler(() => waiting-- > 0);
    frames.request();
    for (let frame = 0; frame < 5; frame++) runAnimationFrame();
    expect(drawn()).toBe(3);
  });

  it('holds data frames until released, then draws one', () => {
    const { frames, drawn } = scheduler();
    frames.hold(200);
    frames.request();
    expect(frames.isHeld).toBe(true);
    expect(frames.isOutstanding).toBe(true);
    runAnimationFrame();
    expect(drawn()).toBe(0);
    frames.release();
    runAnimationFrame();
    expect(drawn()).toBe(1);
  });

  it('ends a hold after its time even without a release', () => {
    const { frames, drawn } = scheduler();
    frames.hold(200);
    frames.request();
    clock = 199;
    vi.advanceTimersByTime(199);
    runAnimationFrame();
    expect(drawn()).toBe(0);
    clock = 200;
    vi.advanceTimersByTime(1);
    expect(frames.isHeld).toBe(false);
    runAnimationFrame();
    expect(drawn()).toBe(1);
  });

  it('draws camera frames and awaited frames during a hold', () => {
    const { frames, drawn } = scheduler();
    frames.hold(200);
    frames.requestNow();
    runAnimationFrame();
    expect(drawn()).toBe(1);
    let called = 0;
    frames.afterNextFrame(() => called++);
    expect(called).toBe(0);
    runAnimationFrame();
    expect(drawn()).toBe(2);
    expect(called).toBe(1);
    // A release with nothing asked for draws nothing.
    frames.release();
    runAnimationFrame();
    expect(drawn()).toBe(2);
  });
});
