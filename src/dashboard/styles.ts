// The dashboard's stylesheet (served as app.css): a plain responsive grid that folds to one column on a phone.
export const stylesCss = `
:root { --bg: #f6f7f9; --fg: #1d232b; --muted: #687382; --panel: #fff; --line: #e2e6eb; --ok: #1f9d55; --warn: #d69e2e; --bad: #d64545; --accent: #4f6bed; }
@media (prefers-color-scheme: dark) { :root { --bg: #12151a; --fg: #e6e9ee; --muted: #98a2b0; --panel: #1b2028; --line: #2c333d; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.top { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 10px 16px; background: var(--panel); border-bottom: 1px solid var(--line); }
.identity { flex: 1; min-width: 160px; }
.controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.banner { margin: 10px 16px 0; padding: 10px 12px; border-radius: 6px; background: #fff4d6; color: #5c4300; border: 1px solid #f0d48a; }
.banner-error { background: #fde2e2; color: #6b1111; border-color: #f3a6a6; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 12px; padding: 12px 16px 24px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; min-width: 0; }
#cost, #requests, #playground { grid-column: 1 / -1; }
.key-dialog { max-width: 520px; margin: 24px auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 200px), 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--muted); border-radius: 6px; padding: 8px; min-width: 0; }
.card.status-healthy { border-left-color: var(--ok); } .card.status-degraded { border-left-color: var(--warn); } .card.status-down { border-left-color: var(--bad); }
.card header { display: flex; flex-wrap: wrap; gap: 4px 6px; align-items: center; margin-bottom: 4px; } .card header .pill { margin-left: auto; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; white-space: nowrap; margin: 0; font-size: 12px; } .card dt { color: var(--muted); } .card dd { margin: 0; text-align: right; }
.last-error, .models-open { font-size: 12px; color: var(--bad); margin: 6px 0 0; overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.circuit-open { color: var(--bad); font-weight: 600; } .circuit-half_open { color: var(--warn); font-weight: 600; }
.pill { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; background: var(--line); }
.pill-healthy { background: #d5f2e0; color: #115c32; } .pill-degraded { background: #fcefc7; color: #6b4b00; } .pill-down { background: #fbd5d5; color: #7a1414; } .pill-unconfigured { color: var(--muted); }
.tag { display: inline-block; margin-left: 4px; padding: 0 5px; border-radius: 4px; font-size: 11px; border: 1px solid var(--line); color: var(--muted); }
.tag-emulator { border-color: #f0d48a; background: #fff4d6; color: #5c4300; }
.muted { color: var(--muted); } .small { font-size: 12px; } .error { color: var(--bad); }
.panel-error:empty { display: none; } .panel-error { color: var(--bad); font-size: 12px; margin: 0 0 6px; }
figure { margin: 0; min-width: 0; } figcaption { font-size: 12px; color: var(--muted); margin-bottom: 2px; }
.charts-2, .charts-3 { display: grid; gap: 10px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr)); }
.chart-box { width: 100%; min-height: 40px; overflow: hidden; }
.chart { display: block; max-width: 100%; }
.chart .grid { stroke: var(--line); } .chart text { fill: var(--muted); font-size: 11px; } .chart .label, .chart .value { fill: var(--fg); font-size: 12px; }
.chart-empty { color: var(--muted); font-size: 12px; margin: 8px 0; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 0; margin: 4px 0 0; font-size: 12px; } .swatch { margin-right: 4px; }
.totals { margin: 0 0 8px; } .totals [data-total] { font-size: 18px; font-weight: 600; }
.table-scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; } td.num { text-align: right; white-space: nowrap; }
.attempt { display: inline-block; margin: 0 4px 3px 0; padding: 0 5px; border-radius: 4px; font-size: 12px; white-space: nowrap; background: var(--line); }
.attempt-ok { background: #d5f2e0; color: #115c32; } .attempt-failed { background: #fbd5d5; color: #7a1414; } .attempt-skipped { color: var(--muted); }
form .row { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; align-items: end; }
label { font-size: 12px; color: var(--muted); display: inline-flex; flex-direction: column; gap: 2px; }
select, input, textarea, button { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--line); border-radius: 5px; padding: 5px 7px; max-width: 100%; }
textarea { width: 100%; resize: vertical; }
button { cursor: pointer; } button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
.output { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px; min-height: 60px; max-height: 320px; overflow-y: auto; margin: 8px 0; font: 13px/1.5 ui-monospace, monospace; }
.candidates { margin: 4px 0; padding-left: 20px; font-size: 13px; }
.key-dialog form { display: flex; gap: 6px; } .key-dialog input { flex: 1; }
@media (max-width: 600px) { main { padding: 8px; gap: 8px; } .top { padding: 8px; } .banner { margin: 8px 8px 0; } }
`;
