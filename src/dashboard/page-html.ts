// The dashboard's HTML shell: static markup only (no data, no secrets); main.js fills it from the API.
export function pageHtml(asset: (name: string) => string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Switchyard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset("app.css")}">
<script type="module" src="${asset("main.js")}"></script>
</head>
<body>
<header class="top">
  <h1>Switchyard</h1>
  <div id="identity" class="identity"></div>
  <div class="controls">
    <label>workspace <input id="workspace" name="workspace" placeholder="all" autocomplete="off" size="10"></label>
    <button id="use-key" type="button">Key…</button>
    <button id="forget-key" type="button" hidden>Forget key</button>
  </div>
</header>
<div id="emulator-banner" class="banner" role="status" hidden></div>
<div id="fatal" class="banner banner-error" role="alert" hidden></div>

<section id="key-dialog" class="panel key-dialog" hidden>
  <h2>Sign in</h2>
  <p id="key-message"></p>
  <form id="key-form">
    <input id="key-input" type="password" autocomplete="off" placeholder="admin key or sk-sy-… workspace key" required>
    <button type="submit">Use key</button>
  </form>
  <p class="muted small">The key stays in this browser tab (sessionStorage) and is sent only to this gateway, as Authorization: Bearer.</p>
</section>

<main id="app" hidden>
  <section id="health" class="panel">
    <h2>Provider health <span id="configured" class="muted small"></span></h2>
    <p class="panel-error" role="alert"></p>
    <div class="cards"></div>
  </section>

  <section id="latency" class="panel">
    <h2>Latency over time
      <select name="window" aria-label="time window">
        <option value="300000" selected>5 min</option>
        <option value="900000">15 min</option>
        <option value="3600000">1 h</option>
        <option value="86400000">24 h</option>
      </select>
    </h2>
    <p class="panel-error" role="alert"></p>
    <div class="charts-2">
      <figure><figcaption>Latency p50 (successful attempts)</figcaption><div class="chart-box latency-chart"></div></figure>
      <figure><figcaption>Time to first token p50</figcaption><div class="chart-box ttft-chart"></div></figure>
    </div>
  </section>

  <section id="cost" class="panel">
    <h2>Cost</h2>
    <p class="panel-error" role="alert"></p>
    <p class="totals"></p>
    <div class="charts-3">
      <figure><figcaption>by provider</figcaption><div class="chart-box by-provider"></div></figure>
      <figure><figcaption>by model</figcaption><div class="chart-box by-model"></div></figure>
      <figure><figcaption>by day</figcaption><div class="chart-box by-day"></div></figure>
    </div>
  </section>

  <section id="requests" class="panel">
    <h2>Recent requests</h2>
    <p class="panel-error" role="alert"></p>
    <div class="table-scroll">
      <table>
        <thead><tr><th>time</th><th>status</th><th>route</th><th>answered by</th><th>attempts</th><th>cost</th><th>latency</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>

  <section id="playground" class="panel">
    <h2>Playground</h2>
    <p class="panel-error" role="alert"></p>
    <form>
      <div class="row">
        <label>model <select name="target"></select></label>
        <label>strategy <select name="strategy"></select></label>
        <label>max tokens <input name="max_tokens" type="number" min="1" max="4096" value="256"></label>
      </div>
      <textarea name="prompt" rows="3" required>Explain in two sentences what an LLM gateway does.</textarea>
      <div class="row">
        <button type="button" name="plan">Plan only</button>
        <button type="submit" name="send" class="primary">Send (stream)</button>
        <button type="button" name="stop">Stop</button>
      </div>
    </form>
    <div class="route"></div>
    <pre class="output" data-state="idle" aria-live="polite"></pre>
    <div class="answer-meta"></div>
  </section>
  <p id="updated" class="muted small"></p>
</main>
</body>
</html>
`;
}
