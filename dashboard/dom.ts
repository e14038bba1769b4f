// Building elements safely (text only, never HTML from data) and formatting numbers and times.
const SVG_NS = "http://www.w3.org/2000/svg";

export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue | EventListener>;
type ChildItem = Node | string | number | null | undefined | false;
/** One level of nesting, as Array.prototype.flat() unfolds: a child may be a list of children. */
export type Child = ChildItem | readonly ChildItem[];

/** h("div", {class: "x"}, "text", child): attributes set one by one, strings become text nodes (never parsed as HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attrs, children);
}

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill<E extends Element>(el: E, attrs: Attrs | null | undefined, children: Child[]): E {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return el;
}

/** The element the page's markup promises; a missing one is a broken page, said by name. */
export function $<E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E {
  const el = root.querySelector<E>(selector);
  if (el === null) throw new Error(`The page has no ${selector}.`);
  return el;
}

export function replace(el: Element, ...children: Child[]): void {
  const nodes: (Node | string)[] = [];
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) nodes.push(typeof c === "number" ? String(c) : c);
  }
  el.replaceChildren(...nodes);
}

const CENTS = new Intl.NumberFormat("en-US", {
  useGrouping: false,
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
/** Under a cent: two significant digits, written out in decimals (Intl's standard notation never uses an exponent). */
const SUB_CENT = new Intl.NumberFormat("en-US", { useGrouping: false, maximumSignificantDigits: 2 });
/** The ledger counts in pico-dollars: a smaller amount is shown as below one rather than as a long row of zeros. */
const PICO_USD = 1e-12;

/** "$1.50", "$0.0012", "$0.00000076", "-$1.50"; "unpriced" for no price (null), never exponent notation. */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "unpriced";
  if (!Number.isFinite(value)) return "–";
  if (value === 0) return "$0";
  const sign = value < 0 ? "-" : "";
  const abs = Math.abs(value);
  if (abs < PICO_USD) return `${sign}<$0.000000000001`;
  return `${sign}$${(abs < 0.01 ? SUB_CENT : CENTS).format(abs)}`;
}

/** "1 hit", "2 hits", "1 try" / "3 tries" (given the plural): the noun agrees with the count. */
export function counted(n: number | null | undefined, singular: string, plural = `${singular}s`): string {
  return `${int(n)} ${n === 1 ? singular : plural}`;
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value >= 10000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** Axis ticks: "0", "250 ms", "1.5 s". */
export function msTick(value: number): string {
  if (value === 0) return "0";
  return value >= 1000 ? `${Math.round(value / 100) / 10} s` : `${Math.round(value)} ms`;
}

export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value * 1000) / 10}%`;
}

export function int(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-US");
}

export function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString("en-GB", { hour12: false });
}

/** An epoch-ms number or an ISO date string. */
export function ago(when: number | string | null | undefined): string {
  if (when === null || when === undefined) return "never";
  const t = typeof when === "string" ? Date.parse(when) : when;
  if (Number.isNaN(t)) return "–";
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** A panel's own error line: one failing endpoint never blanks the rest of the page. */
export function panelError(panel: ParentNode, message: string): void {
  const slot = panel.querySelector(".panel-error");
  if (slot) slot.textContent = message || "";
}

/** The message of whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
