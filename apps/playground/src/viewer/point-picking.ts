import * as THREE from 'three';

/*
 * GPU picking of points: point ids (index + 1 in four bytes, 0 = none) drawn into a small offscreen target around
 * the cursor or a selection's rectangle, read back and decoded. The viewer says which drawables take part.
 */

/** What {@link renderPointIds} draws with. */
export interface PickingScene {
  renderer: THREE.WebGLRenderer;
  scene: THREE.Scene;
  camera: THREE.PerspectiveCamera;
  /**
   * Switches the scene to drawing point ids (`true`: point materials to picking, everything that is not a point
   * hidden; `frustum` is the picked rectangle's, for skipping what cannot reach it) or back (`false`).
   */
  setPicking(picking: boolean, frustum: THREE.Frustum): void;
}

/**
 * Draws point ids into `target`, which covers the device-pixel rectangle at (`left`, `top`) of a
 * `fullWidth`×`fullHeight` view, and reads them back (rows bottom-up, four bytes per pixel).
 */
export function renderPointIds(picking: PickingScene, target: THREE.WebGLRenderTarget, fullWidth: number, fullHeight: number, left: number, top: number): Uint8Array {
  const { renderer, scene, camera } = picking;
  const { width, height } = target;
  camera.setViewOffset(fullWidth, fullHeight, left, top, width, height);
  camera.updateMatrixWorld();
  const frustum = new THREE.Frustum().setFromProjectionMatrix(new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse));
  picking.setPicking(true, frustum);
  const clearColor = renderer.getClearColor(new THREE.Color());
  const clearAlpha = renderer.getClearAlpha();
  const pixels = new Uint8Array(width * height * 4);
  try {
    renderer.setClearColor(0x000000, 0);
    renderer.setRenderTarget(target);
    renderer.clear();
    renderer.render(scene, camera);
    renderer.readRenderTargetPixels(target, 0, 0, width, height, pixels);
  } finally {
    renderer.setRenderTarget(null);
    renderer.setClearColor(clearColor, clearAlpha);
    picking.setPicking(false, frustum);
    camera.clearViewOffset();
  }
  return pixels;
}

/** The point id stored at byte `offset` of read-back `pixels`, or -1 where no point was drawn. */
function pointIdAt(pixels: Uint8Array, offset: number): number {
  return ((pixels[offset] | (pixels[offset + 1] << 8) | (pixels[offset + 2] << 16) | (pixels[offset + 3] << 24)) >>> 0) - 1;
}

/**
 * The point nearest the centre of a square pick of `2 · radius + 1` pixels a side (`pixels` as
 * {@link renderPointIds} reads them), or -1 when no point was drawn in it.
 */
export function nearestPickedPoint(pixels: Uint8Array, radius: number): number {
  const size = 2 * radius + 1;
  let best = -1;
  let bestDistance = Infinity;
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const id = pointIdAt(pixels, (row * size + column) * 4);
      if (id < 0) continue;
      // Render-target rows run bottom-up.
      const distance = (column - radius) ** 2 + (size - 1 - row - radius) ** 2;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = id;
      }
    }
  }
  return best;
}

/** The point id (or -1) of every pixel of a `width`×`height` pick, rows top down. */
export function pickedPointRows(pixels: Uint8Array, width: number, height: number): Int32Array {
  const ids = new Int32Array(width * height);
  for (let row = 0; row < height; row++) {
    // Render-target rows run bottom-up.
    for (let column = 0; column < width; column++) ids[row * width + column] = pointIdAt(pixels, ((height - 1 - row) * width + column) * 4);
  }
  return ids;
}
