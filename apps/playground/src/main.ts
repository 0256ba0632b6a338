import { PlaygroundApp } from './app/playground-app.js';
import { SCAN_READINGS } from './worker/worker-protocol.js';

// Query parameters: ?model=<url of model.json> (default models/default/model.json), ?backend=webgpu|wasm|cpu,
// ?seed=<default scene seed> or ?scene=none to start empty, ?budget=<most points drawn per frame>,
// ?read=random-access|stream|whole (how scan files are read; the default random-access, the others for benchmarks),
// ?frameTarget=<frame time the effective point budget aims at, ms; 0: off, every frame draws the whole budget>.
const parameters = new URLSearchParams(location.search);
const backend = parameters.get('backend');
const seed = parameters.get('seed');
const budget = Number(parameters.get('budget'));
const frameTarget = parameters.has('frameTarget') ? Number(parameters.get('frameTarget')) : undefined;
const reading = SCAN_READINGS.find((name) => name === parameters.get('read'));

function showFatal(error: unknown): void {
  const message = document.getElementById('message');
  const text = `The playground could not start: ${error instanceof Error ? error.message : String(error)}`;
  if (message) {
    message.textContent = text;
    message.hidden = false;
  } else {
    document.body.textContent = text;
  }
}

window.addEventListener('error', (event) => showFatal(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showFatal(event.reason));

try {
  // Exposed for scripted use (the end-to-end test and the browser benchmark).
  (window as unknown as { pointclickPlayground: PlaygroundApp }).pointclickPlayground = new PlaygroundApp({
    modelUrl: new URL(parameters.get('model') ?? 'models/default/model.json', location.href).href,
    wasmPath: new URL('tfjs-wasm/', location.href).href,
    preferredBackend: backend === 'webgpu' || backend === 'wasm' || backend === 'cpu' ? backend : undefined,
    defaultSceneSeed: parameters.get('scene') === 'none' ? undefined : Number(seed ?? 1),
    pointBudget: Number.isFinite(budget) && budget > 0 ? budget : undefined,
    frameTargetMilliseconds: frameTarget !== undefined && Number.isFinite(frameTarget) && frameTarget >= 0 ? frameTarget : undefined,
    scanReading: reading,
  });
} catch (error) {
  showFatal(error);
}
