// A strict parser of Prometheus's text exposition format (version 0.0.4), for the tests: it throws on anything a
// Prometheus server would refuse or that the format forbids (a sample before its TYPE, a family split in two, a
// duplicate series, a bad name or escape, a histogram whose buckets are not cumulative or lack +Inf).
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string | null;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: Family | null = null;
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line === "") throw new Error(`${where}: empty line`);
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (m === null) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name`);
      let family = families.get(name);
      if (family === undefined) {
        if (closed.has(name)) throw new Error(`${where}: family ${name} appears twice`);
        family = { name, type: "untyped", help: null, samples: [] };
        families.set(name, family);
      }
      if (current !== null && current !== family) closed.add(current.name);
      current = family;
      if (kind === "HELP") {
        if (family.help !== null) throw new Error(`${where}: second HELP`);
        family.help = unescapeHelp(rest ?? "", where);
      } else {
        if (family.type !== "untyped" || family.samples.length > 0)
          throw new Error(`${where}: TYPE after samples or twice`);
        const type = rest ?? "";
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type))
          throw new Error(`${where}: bad type`);
        family.type = type as Family["type"];
      }
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(sample.name, families);
    if (family === undefined) throw new Error(`${where}: sample without a TYPE`);
    if (closed.has(family.name)) throw new Error(`${where}: family ${family.name} is not contiguous`);
    if (current !== null && current !== family) closed.add(current.name);
    current = family;
    const key = JSON.stringify([sample.name, Object.entries(sample.labels).sort()]);
    if (seen.has(key)) throw new Error(`${where}: duplicate series`);
    seen.add(key);
    if (family.type === "counter" && (sample.value < 0 || Number.isNaN(sample.value)))
      throw new Error(`${where}: a counter below zero`);
    if (family.type === "counter" && sample.name !== family.name) throw new Error(`${where}: counter sample name`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct !== undefined) return direct;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = m === null ? undefined : families.get(m[1] ?? "");
  return base?.type === "histogram" || base?.type === "summary" ? base : undefined;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)(?: (-?\d+))?$/.exec(line);
  if (m === null) throw new Error(`${where}: not a sample`);
  const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
  const value = parseValue(valueText, where);
  return { name, labels: labelText === undefined ? {} : parseLabels(labelText, where), value };
}

function parseValue(text: string, where: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  const end = text.length - 1;
  while (i < end) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`${where}: label without =`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name ${name}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: unquoted label value`);
    let j = eq + 2;
    let value = "";
    for (;;) {
      const ch = text[j];
      if (ch === undefined) throw new Error(`${where}: unterminated label value`);
      if (ch === '"') break;
      if (ch === "\\") {
        const next = text[j + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new Error(`${where}: bad escape \\${next}`);
        j += 2;
        continue;
      }
      if (ch === "\n") throw new Error(`${where}: raw newline in a label value`);
      value += ch;
      j += 1;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i += 1;
    else if (i !== end) throw new Error(`${where}: expected , or }`);
  }
  return labels;
}

function unescapeHelp(text: string, where: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    throw new Error(`${where}: bad escape in HELP`);
  });
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      g.buckets.push([parseValue(le, family.name), s.value]);
    } else if (s.name === `${family.name}_count`) g.count = s.value;
    else if (s.name === `${family.name}_sum`) g.sum = s.value;
    else throw new Error(`${family.name}: unexpected sample ${s.name}`);
  }
  for (const g of groups.values()) {
    const last = g.buckets.at(-1);
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${family.name}: no +Inf bucket`);
    for (let i = 1; i < g.buckets.length; i++) {
      const [lePrev, nPrev] = g.buckets[i - 1] as [number, number];
      const [le, n] = g.buckets[i] as [number, number];
      if (!(le > lePrev)) throw new Error(`${family.name}: le not increasing`);
      if (n < nPrev) throw new Error(`${family.name}: buckets not cumulative`);
    }
    if (g.count !== last[1]) throw new Error(`${family.name}: _count is not the +Inf bucket`);
    if (g.sum === undefined) throw new Error(`${family.name}: no _sum`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = familyOf(name, families);
  const matches = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${matches.length} samples match`);
  return matches[0]?.value;
}
