/** Minimal inline-SVG charts for self-contained reports (no script, no external file). */
export interface Series {
  label: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
  markers?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export { esc as escapeHtml };

/** A square 0–1 × 0–1 line chart with a diagonal reference, axes and a legend. */
export function unitLineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const size = 320;
  const pad = 44;
  const sx = (x: number) => pad + x * (size - pad - 10);
  const sy = (y: number) => size - pad - y * (size - pad - 10);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const grid = ticks.map((t) => `<line x1="${sx(t)}" y1="${sy(0)}" x2="${sx(t)}" y2="${sy(1)}" stroke="#eee"/><line x1="${sx(0)}" y1="${sy(t)}" x2="${sx(1)}" y2="${sy(t)}" stroke="#eee"/>`
    + `<text x="${sx(t)}" y="${sy(0) + 14}" font-size="10" text-anchor="middle">${t}</text><text x="${sx(0) - 6}" y="${sy(t) + 3}" font-size="10" text-anchor="end">${t}</text>`).join('');
  const lines = series.map((s) => {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
    const dots = s.markers ? s.points.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`).join('') : '';
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>${dots}`;
  }).join('');
  const legend = series.map((s, i) => `<rect x="${size + 8}" y="${40 + i * 18}" width="12" height="3" fill="${s.color}"/><text x="${size + 24}" y="${45 + i * 18}" font-size="11">${esc(s.label)}</text>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${size + 230}" height="${size}" role="img" aria-label="${esc(title)}">`
    + `${grid}<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" stroke="#bbb" stroke-dasharray="3,3"/>${lines}`
    + `<text x="${sx(0.5)}" y="${size - 8}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>`
    + `<text x="12" y="${sy(0.5)}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${sy(0.5)})">${esc(yLabel)}</text>${legend}</svg></figure>`;
}

/** Horizontal bars (e.g. permutation importance), longest first as given. */
export function barChart(title: string, bars: { label: string; value: number }[], unit: string): string {
  const rowH = 18;
  const labelW = 300;
  const barW = 320;
  const max = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const rows = bars.map((b, i) => {
    const w = (Math.max(0, b.value) / max) * barW;
    return `<text x="${labelW - 6}" y="${i * rowH + 13}" font-size="11" text-anchor="end">${esc(b.label)}</text>`
      + `<rect x="${labelW}" y="${i * rowH + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="#3b6fb6"/>`
      + `<text x="${labelW + w + 4}" y="${i * rowH + 13}" font-size="10">${b.value.toFixed(4)}</text>`;
  }).join('');
  return `<figure><figcaption>${esc(title)} (${esc(unit)})</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 70}" height="${bars.length * rowH + 6}" role="img" aria-label="${esc(title)}">${rows}</svg></figure>`;
}
