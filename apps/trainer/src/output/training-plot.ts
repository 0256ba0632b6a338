/** One record of the training log (metrics.jsonl). */
export interface LogRecord {
  /** `train` for a step, `validation` for an evaluation. */
  kind: 'train' | 'validation';
  /** Optimisation step the record belongs to (1-based). */
  step: number;
  /** Any further figures: loss terms, learning rate, IoU@k, NoC@q … */
  [figure: string]: number | string;
}

const WIDTH = 900;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 35 };

function polyline(points: Array<[number, number]>, color: string): string {
  if (points.length === 0) return '';
  const path = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path}"/>`;
}

function panel(
  title: string,
  series: Array<{ label: string; color: string; points: Array<[number, number]> }>,
  top: number,
  maxStep: number,
): string {
  const values = series.flatMap((entry) => entry.points.map(([, value]) => value)).filter(Number.isFinite);
  const minimum = values.length ? Math.min(...values) : 0;
  const maximum = values.length ? Math.max(...values) : 1;
  const span = maximum - minimum || 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (step: number) => MARGIN.left + (plotWidth * step) / Math.max(1, maxStep);
  const y = (value: number) => top + MARGIN.top + plotHeight * (1 - (value - minimum) / span);
  const parts = [
    `<text x="${MARGIN.left}" y="${top + 18}" font-size="14" font-family="sans-serif">${title}</text>`,
    `<rect x="${MARGIN.left}" y="${top + MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left - 5}" y="${top + MARGIN.top + 10}" font-size="11" text-anchor="end" font-family="sans-serif">${maximum.toPrecision(3)}</text>`,
    `<text x="${MARGIN.left - 5}" y="${top + MARGIN.top + plotHeight}" font-size="11" text-anchor="end" font-family="sans-serif">${minimum.toPrecision(3)}</text>`,
    `<text x="${WIDTH - MARGIN.right}" y="${top + PANEL_HEIGHT - 10}" font-size="11" text-anchor="end" font-family="sans-serif">step ${maxStep}</text>`,
  ];
  series.forEach((entry, index) => {
    parts.push(polyline(entry.points.map(([step, value]) => [x(step), y(value)]), entry.color));
    parts.push(
      `<text x="${MARGIN.left + 10 + index * 130}" y="${top + PANEL_HEIGHT - 10}" font-size="11" fill="${entry.color}" font-family="sans-serif">${entry.label}</text>`,
    );
  });
  return parts.join('\n');
}

/** Renders the loss curves and validation curves of a training log as a standalone SVG document. */
export function renderTrainingPlot(records: LogRecord[]): string {
  const train = records.filter((record) => record.kind === 'train');
  const validation = records.filter((record) => record.kind === 'validation');
  const maxStep = Math.max(1, ...records.map((record) => record.step));
  const seriesOf = (source: LogRecord[], key: string) =>
    source.filter((record) => typeof record[key] === 'number').map((record) => [record.step, record[key] as number] as [number, number]);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const lossPanel = panel(
    'training loss',
    ['loss', 'bce', 'dice', 'ce'].map((key, index) => ({ label: key, color: colors[index], points: seriesOf(train, key) })),
    0,
    maxStep,
  );
  const iouPanel = panel(
    'validation IoU@k (%)',
    ['iou@1', 'iou@3', 'iou@5'].map((key, index) => ({ label: key, color: colors[index], points: seriesOf(validation, key) })),
    PANEL_HEIGHT,
    maxStep,
  );
  const nocPanel = panel('validation NoC@85 (clicks)', [{ label: 'noc@85', color: colors[3], points: seriesOf(validation, 'noc@85') }], 2 * PANEL_HEIGHT, maxStep);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${3 * PANEL_HEIGHT}" viewBox="0 0 ${WIDTH} ${3 * PANEL_HEIGHT}">`,
    '<rect width="100%" height="100%" fill="white"/>',
    lossPanel,
    iouPanel,
    nocPanel,
    '</svg>',
    '',
  ].join('\n');
}
