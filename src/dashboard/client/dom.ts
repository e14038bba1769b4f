// Browser module dom.js: building elements safely (text only, never HTML from data) and formatting numbers and times.
export const domJs = String.raw`
const SVG_NS = "http://www.w3.org/2000/svg";

/** h("div", {class: "x"}, "text", child): attributes set one by one, strings become text nodes (never parsed as HTML). */
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
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

export function $(selector, root) {
  return (root || document).querySelector(selector);
}

export function replace(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function usd(value) {
  if (value === null || value === undefined) return "unpriced";
  if (value === 0) return "$0";
  if (Math.abs(value) < 0.01) return "$" + value.toPrecision(2);
  return "$" + value.toFixed(2);
}

export function ms(value) {
  if (value === null || value === undefined) return "–";
  return value >= 10000 ? (value / 1000).toFixed(1) + " s" : Math.round(value) + " ms";
}

/** Axis ticks: "0", "250 ms", "1.5 s". */
export function msTick(value) {
  if (value === 0) return "0";
  return value >= 1000 ? Math.round(value / 100) / 10 + " s" : Math.round(value) + " ms";
}

export function pct(value) {
  return value === null || value === undefined ? "–" : Math.round(value * 1000) / 10 + "%";
}

export function int(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-US");
}

export function clock(epochMs) {
  return new Date(epochMs).toLocaleTimeString("en-GB", { hour12: false });
}

/** An epoch-ms number or an ISO date string. */
export function ago(when) {
  if (when === null || when === undefined) return "never";
  const t = typeof when === "string" ? Date.parse(when) : when;
  if (Number.isNaN(t)) return "–";
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  return Math.round(s / 3600) + " h ago";
}

/** A panel's own error line: one failing endpoint never blanks the rest of the page. */
export function panelError(panel, message) {
  const slot = panel.querySelector(".panel-error");
  if (slot) slot.textContent = message || "";
}
`;
