// The dashboard page's entry: boots the page (who am I, which mode), asks for a key when needed, and keeps panels
// fresh. Bundled with the modules it imports into one script by scripts/build-dashboard.ts.
import { ApiError, api, setKey, storedKey } from "./api.ts";
import type { GatewayInfo } from "./api-types.ts";
import { refreshCost } from "./cost-panel.ts";
import { $, h, messageOf, panelError, replace } from "./dom.ts";
import { refreshHealth } from "./health-panel.ts";
import { refreshLatency } from "./latency-panel.ts";
import { initPlayground } from "./playground.ts";
import { refreshRequests } from "./requests-panel.ts";
import type { PageState } from "./state.ts";

// Every tick is 3 reads (4 with cost): at 10 s a dashboard stays near 20 requests a minute against a key's rpm_limit.
const POLL_MS = 10_000;
const state: PageState = {
  gateway: null,
  workspace: "",
  timer: undefined,
  tick: 0,
  onActivity: () => setTimeout(() => refresh(true), 1200),
};
const panels = {
  health: $("#health"),
  latency: $("#latency"),
  cost: $("#cost"),
  requests: $("#requests"),
  playground: $("#playground"),
};
const workspaceInput = $<HTMLInputElement>("#workspace");
const keyInput = $<HTMLInputElement>("#key-input");

async function boot(): Promise<void> {
  clearInterval(state.timer);
  let gateway: GatewayInfo;
  try {
    gateway = await api<GatewayInfo>("/v1/gateway");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      return askForKey(
        storedKey() ? `That key was refused (${err.message}).` : "This gateway needs an admin or workspace key.",
      );
    }
    return showFatal(`The gateway did not answer: ${messageOf(err)}`);
  }
  state.gateway = gateway;
  $("#key-dialog").hidden = true;
  $("#app").hidden = false;
  renderIdentity(gateway);
  await initPlayground(panels.playground, state);
  await refresh(true);
  state.timer = setInterval(() => {
    if (!document.hidden) void refresh(false);
  }, POLL_MS);
}

function renderIdentity(g: GatewayInfo): void {
  const who =
    g.caller.kind === "workspace"
      ? `workspace ${g.caller.workspace_id}`
      : g.caller.kind === "admin"
        ? "admin"
        : "development mode (no key needed)";
  const pill = g.mode === "development" ? "degraded" : "healthy";
  replace($("#identity"), h("span", { class: `pill pill-${pill}` }, g.mode), " ", who);
  const banner = $("#emulator-banner");
  const local = g.providers
    .filter((p) => p.configured && p.upstream !== "remote")
    .map((p) => `${p.provider} (${p.upstream})`);
  if (g.emulated) {
    banner.hidden = false;
    replace(banner, h("strong", {}, "Emulated providers. "), g.notice);
  } else if (local.length) {
    banner.hidden = false;
    replace(banner, h("strong", {}, "Local upstreams: "), local.join(", "));
  } else banner.hidden = true;
  const unconfigured = g.providers.filter((p) => !p.configured).map((p) => p.provider);
  replace(
    $("#configured"),
    unconfigured.length ? `unconfigured: ${unconfigured.join(", ")}` : `all ${g.providers.length} providers configured`,
  );
  if (g.budgets && g.budgets.state === "unavailable") {
    $("#configured").append(
      ` · budget list unavailable (${g.budgets.reason}): budgeted requests may be refused, retry shortly`,
    );
  }
  workspaceInput.disabled = g.caller.kind === "workspace";
  if (g.caller.kind === "workspace") workspaceInput.value = g.caller.workspace_id ?? "";
  $("#forget-key").hidden = !storedKey();
}

/** Health, latency and requests every tick; cost every third (it groups over days of rows). */
async function refresh(all: boolean): Promise<void> {
  state.tick += 1;
  state.workspace = workspaceInput.disabled ? "" : workspaceInput.value.trim();
  const jobs = [
    refreshHealth(panels.health, state),
    refreshLatency(panels.latency, state),
    refreshRequests(panels.requests, state),
  ];
  if (all || state.tick % 3 === 0) jobs.push(refreshCost(panels.cost, state));
  await Promise.all(jobs);
  $("#updated").textContent = `updated ${new Date().toLocaleTimeString("en-GB", { hour12: false })}`;
}

function askForKey(message: string): void {
  $("#app").hidden = true;
  $("#key-dialog").hidden = false;
  $("#key-message").textContent = message;
  keyInput.value = "";
  keyInput.focus();
}

function showFatal(message: string): void {
  const el = $("#fatal");
  el.hidden = false;
  el.textContent = message;
}

$("#key-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  setKey(keyInput.value.trim());
  keyInput.value = "";
  void boot();
});
$("#forget-key").addEventListener("click", () => {
  setKey(null);
  void boot();
});
$("#use-key").addEventListener("click", () =>
  askForKey("Paste an admin or workspace key. It stays in this tab (sessionStorage) and is sent only to this gateway."),
);
workspaceInput.addEventListener("change", () => void refresh(true));
$("#latency select[name=window]").addEventListener("change", () => void refreshLatency(panels.latency, state));
window.addEventListener("switchyard:unauthorized", () => {
  if (!$("#app").hidden) void boot();
});
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(
    () => void Promise.all([refreshLatency(panels.latency, state), refreshCost(panels.cost, state)]),
    250,
  );
});
for (const panel of Object.values(panels)) panelError(panel, "");
void boot();
