import type { Calibration } from '@pointclick/metrics';

const SIZE = 420;
const MARGIN = { left: 55, right: 20, top: 40, bottom: 50 };

/**
 * A reliability diagram as a standalone SVG document: one bar per confidence bin at the fraction of its
 * predictions that were right, the diagonal of perfect calibration, each bin's mean confidence as a dot
 * and its prediction count above the bar; the title carries the expected calibration error.
 */
export function renderReliabilityPlot(calibration: Calibration, title: string): string {
  const plotWidth = SIZE - MARGIN.left - MARGIN.right;
  const plotHeight = SIZE - MARGIN.top - MARGIN.bottom;
  const x = (value: number) => MARGIN.left + plotWidth * value;
  const y = (value: number) => MARGIN.top + plotHeight * (1 - value);
  const text = (px: number, py: number, content: string, anchor = 'middle', size = 11) =>
    `<text x="${px.toFixed(1)}" y="${py.toFixed(1)}" font-size="${size}" text-anchor="${anchor}" font-family="sans-serif">${content}</text>`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">`,
    '<rect width="100%" height="100%" fill="white"/>',
    text(MARGIN.left, 18, `${title} — ECE ${calibration.expectedCalibrationError.toFixed(3)}`, 'start', 13),
    `<rect x="${x(0)}" y="${y(1)}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
  ];
  for (const bin of calibration.bins) {
    if (bin.count === 0) continue;
    const left = x(bin.lower) + 1;
    const width = x(bin.upper) - x(bin.lower) - 2;
    parts.push(`<rect x="${left.toFixed(1)}" y="${y(bin.accuracy).toFixed(1)}" width="${width.toFixed(1)}" height="${(y(0) - y(bin.accuracy)).toFixed(1)}" fill="#1f77b4" fill-opacity="0.7"/>`);
    parts.push(`<circle cx="${(left + width / 2).toFixed(1)}" cy="${y(bin.meanConfidence).toFixed(1)}" r="3" fill="#d62728"/>`);
    parts.push(text(left + width / 2, y(Math.max(bin.accuracy, bin.meanConfidence)) - 5, String(bin.count), 'middle', 9));
  }
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#555" stroke-dasharray="4 3"/>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(text(x(tick), y(0) + 15, tick.toFixed(2)));
    parts.push(text(x(0) - 5, y(tick) + 4, tick.toFixed(2), 'end'));
  }
  parts.push(text(x(0.5), SIZE - 12, 'shown confidence (bars: fraction right; dots: mean confidence; numbers: objects)'));
  parts.push(`<text transform="translate(14 ${y(0.5)}) rotate(-90)" font-size="11" text-anchor="middle" font-family="sans-serif">fraction right</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}
