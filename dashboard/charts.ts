// Small inline-SVG line and bar charts, drawn at the container's real pixel width.
import { h, replace, s } from "./dom.ts";

const PALETTE: Record<string, string> = {
  openai: "#10a37f",
  anthropic: "#d97757",
  mistral: "#f7a600",
  together: "#4f6bed",
  ollama: "#8e8e93",
};
const EXTRA = ["#b05cc6", "#2aa1b3", "#c94f4f", "#6a9e3f", "#a07d52"];

export function colorFor(name: string, index: number): string {
  return PALETTE[name] || (EXTRA[index % EXTRA.length] as string);
}

export interface Point {
  /** Epoch ms. */
  x: number;
  y: number | null;
  label?: string;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface LineChartOptions {
  label: string;
  format: (value: number) => string;
  formatX: (x: number) => string;
  formatTick?: (value: number) => string;
  from?: number;
  to?: number;
  height?: number;
  emptyText?: string;
}

export interface Bar {
  label: string;
  value: number | null | undefined;
  /** The palette key (a provider name) when it differs from the label. */
  color?: string;
  title?: string;
}

export interface BarChartOptions {
  label: string;
  format: (value: number) => string;
  /** Vertical columns (e.g. days) instead of horizontal rows. */
  columns?: boolean;
  emptyText?: string;
}

interface DrawnBar extends Bar {
  value: number;
}

function widthOf(container: HTMLElement): number {
  return Math.max(260, Math.floor(container.clientWidth || 320));
}

function empty(container: HTMLElement, message: string): void {
  replace(container, h("p", { class: "chart-empty" }, message));
}

/** One path per series, one dot per point, each dot carrying its value (data-value) and a tooltip. */
export function lineChart(container: HTMLElement, series: Series[], opts: LineChartOptions): void {
  const withData = series.filter((sr) => sr.points.some((p) => p.y !== null));
  if (withData.length === 0) {
    empty(container, opts.emptyText || "No data in this window yet.");
    return;
  }
  const W = widthOf(container);
  const H = opts.height || 180;
  const L = 56;
  const R = 12;
  const T = 10;
  const B = 24;
  const xs = withData.flatMap((sr) => sr.points.map((p) => p.x));
  const x0 = opts.from ?? Math.min(...xs);
  const x1 = opts.to ?? Math.max(...xs);
  const ys = withData.flatMap((sr) => sr.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const yMax = niceMax(Math.max(...ys));
  const px = (x: number) => L + (x1 === x0 ? (W - L - R) / 2 : ((x - x0) / (x1 - x0)) * (W - L - R));
  const py = (y: number) => T + (1 - y / yMax) * (H - T - B);
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: "img",
    "aria-label": opts.label,
    class: "chart line-chart",
  });
  const formatTick = opts.formatTick || opts.format;
  for (const frac of [0, 0.5, 1]) {
    const y = py(yMax * frac);
    svg.append(s("line", { x1: L, x2: W - R, y1: y, y2: y, class: "grid" }));
    svg.append(s("text", { x: L - 6, y: y + 4, "text-anchor": "end", class: "tick" }, formatTick(yMax * frac)));
  }
  svg.append(s("text", { x: L, y: H - 6, class: "tick" }, opts.formatX(x0)));
  svg.append(s("text", { x: W - R, y: H - 6, "text-anchor": "end", class: "tick" }, opts.formatX(x1)));
  withData.forEach((sr, i) => {
    const color = colorFor(sr.name, i);
    const g = s("g", { class: "series", "data-series": sr.name });
    let d = "";
    let pen = false;
    for (const p of sr.points) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(p.x).toFixed(1)} ${py(p.y).toFixed(1)}`;
      pen = true;
    }
    g.append(s("path", { d, fill: "none", stroke: color, "stroke-width": 2 }));
    for (const p of sr.points) {
      if (p.y === null) continue;
      const title = `${sr.name} ${opts.formatX(p.x)}: ${p.label || opts.format(p.y)}`;
      const dot = {
        cx: px(p.x).toFixed(1),
        cy: py(p.y).toFixed(1),
        r: 3,
        fill: color,
        class: "point",
        "data-value": p.y,
      };
      g.append(s("circle", dot, s("title", {}, title)));
    }
    svg.append(g);
  });
  const legend = h(
    "ul",
    { class: "legend" },
    withData.map((sr, i) => h("li", {}, h("span", { class: "swatch", "data-color": colorFor(sr.name, i) }), sr.name)),
  );
  replace(container, svg, legend);
  paintSwatches(legend);
}

/** Bars largest first; horizontal rows, or columns with opts.columns (e.g. days). */
export function barChart(container: HTMLElement, bars: Bar[], opts: BarChartOptions): void {
  const data = bars.filter((b): b is DrawnBar => b.value !== null && b.value !== undefined);
  if (data.length === 0) {
    empty(container, opts.emptyText || "Nothing recorded yet.");
    return;
  }
  const max = Math.max(...data.map((b) => b.value)) || 1;
  const W = widthOf(container);
  const svg = opts.columns ? columns(data, max, W, opts) : rows(data, max, W, opts);
  replace(container, svg);
}

function rows(data: DrawnBar[], max: number, W: number, opts: BarChartOptions): SVGSVGElement {
  const rowH = 24;
  const labelW = Math.min(190, Math.floor(W * 0.42));
  const valueW = 70;
  const H = data.length * rowH + 4;
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: "img",
    "aria-label": opts.label,
    class: "chart bar-chart",
  });
  data.forEach((b, i) => {
    const y = i * rowH + 2;
    const w = Math.max(2, (b.value / max) * (W - labelW - valueW - 8));
    const label = clip(b.label, Math.floor(labelW / 7.5));
    svg.append(s("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "label" }, label));
    const rect = {
      x: labelW,
      y,
      width: w.toFixed(1),
      height: rowH - 6,
      rx: 3,
      fill: colorFor(b.color || b.label, i),
      class: "bar",
      "data-value": b.value,
    };
    svg.append(s("rect", rect, s("title", {}, `${b.label}: ${b.title || opts.format(b.value)}`)));
    svg.append(s("text", { x: labelW + w + 6, y: y + 15, class: "value" }, opts.format(b.value)));
  });
  return svg;
}

function columns(data: DrawnBar[], max: number, W: number, opts: BarChartOptions): SVGSVGElement {
  const H = 170;
  const B = 22;
  const T = 16;
  // Columns no wider than 56 px, so one day of data is not one wall of colour.
  const slot = Math.min(56, (W - 8) / data.length);
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: "img",
    "aria-label": opts.label,
    class: "chart column-chart",
  });
  const every = Math.ceil(data.length / Math.max(1, Math.floor(W / 70)));
  data.forEach((b, i) => {
    const hgt = Math.max(2, (b.value / max) * (H - B - T));
    const x = 4 + i * slot + slot * 0.15;
    const rect = {
      x: x.toFixed(1),
      y: (H - B - hgt).toFixed(1),
      width: (slot * 0.7).toFixed(1),
      height: hgt.toFixed(1),
      rx: 2,
      fill: "#4f6bed",
      class: "bar",
      "data-value": b.value,
    };
    svg.append(s("rect", rect, s("title", {}, `${b.label}: ${b.title || opts.format(b.value)}`)));
    if (i % every === 0) {
      const tick = { x: (x + slot * 0.35).toFixed(1), y: H - 6, "text-anchor": "middle", class: "tick" };
      svg.append(s("text", tick, b.label.slice(5)));
    }
  });
  svg.append(s("text", { x: W - 4, y: 11, "text-anchor": "end", class: "tick" }, `max ${opts.format(max)}`));
  return svg;
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, Math.max(1, n - 1))}…` : text;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Swatch colours go on as SVG fills, because the page's CSP allows no inline style attributes. */
function paintSwatches(legend: HTMLElement): void {
  for (const sw of legend.querySelectorAll(".swatch")) {
    const fill = sw.getAttribute("data-color");
    sw.append(s("svg", { width: 10, height: 10, viewBox: "0 0 10 10" }, s("circle", { cx: 5, cy: 5, r: 5, fill })));
  }
}
