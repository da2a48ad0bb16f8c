// The dashboard: /metrics (Prometheus text, parsed generically) and /admin/api/overview, polled every two seconds,
// drawn as tiles, inline SVG charts and tables. Every call carries the admin token; all text goes in by textContent.
import { el, svg } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;
const HISTORY = 90;
let token = sessionStorage.getItem("casino-sim-admin") || "";
let previous = null; // {time, rounds, wallet}
const rpsHistory = [];

// ---- Prometheus text format: `name{label="value",...} number`, comments skipped ----
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    const body = match[2] || "";
    const pattern = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;
    let part;
    while ((part = pattern.exec(body)) !== null) {
      labels[part[1]] = part[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    samples.push({name: match[1], labels, value: Number(match[3])});
  }
  return samples;
}

function sum(samples, name, keep = () => true) {
  return samples.filter((s) => s.name === name && keep(s.labels)).reduce((a, s) => a + s.value, 0);
}

// wallet calls per studio: calls and failures from casino_sim_wallet_calls_total{studio,operation,outcome},
// cumulative latency buckets {le -> count} from casino_sim_wallet_call_seconds{studio,dialect,operation}; the other
// labels summed. TOTAL holds every studio together.
const TOTAL = "\u0000total";
const NO_STUDIO = "(no studio)";

function walletStats(samples) {
  const stats = {};
  const of = (studio) => (stats[studio] = stats[studio] || {calls: 0, failed: 0, buckets: new Map()});
  for (const s of samples) {
    const studio = s.labels.studio || NO_STUDIO;
    if (s.name === "casino_sim_wallet_calls_total") {
      for (const row of [of(studio), of(TOTAL)]) {
        row.calls += s.value;
        if (s.labels.outcome !== "ok") row.failed += s.value;
      }
    } else if (s.name === "casino_sim_wallet_call_seconds_bucket") {
      const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
      for (const row of [of(studio), of(TOTAL)]) row.buckets.set(le, (row.buckets.get(le) || 0) + s.value);
    }
  }
  return stats;
}

function quantile(cumulative, q) {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Infinity) || 0;
  if (!total) return null;
  const rank = q * total;
  let lowerBound = 0, lowerCount = 0;
  for (const bound of bounds) {
    const count = cumulative.get(bound);
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      const span = count - lowerCount;
      return lowerBound + (bound - lowerBound) * (span ? (rank - lowerCount) / span : 0);
    }
    lowerBound = bound; lowerCount = count;
  }
  return lowerBound;
}

function minus(now, before) {
  if (!before) return now;
  const buckets = new Map();
  for (const [le, count] of now.buckets) buckets.set(le, count - (before.buckets.get(le) || 0));
  return {calls: now.calls - before.calls, failed: now.failed - before.failed, buckets};
}

const ms = (seconds) => (seconds === null ? "–" : `${(seconds * 1000).toFixed(1)} ms`);

async function call(path, options = {}) {
  const response = await fetch(path, {...options, headers: {...(options.headers || {}), Authorization: `Bearer ${token}`}});
  if (response.status === 401) throw Object.assign(new Error("the admin token is not valid"), {auth: true});
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

function line(values, width = 600, height = 120) {
  const top = Math.max(1, ...values);
  const step = width / Math.max(1, HISTORY - 1);
  const points = values.map((v, i) => `${(i + HISTORY - values.length) * step},${height - (v / top) * (height - 14)}`);
  return svg("svg", {viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": "rounds per second chart"},
    svg("polyline", {points: points.join(" "), fill: "none", stroke: "#f5b83d", "stroke-width": 2}),
    svg("text", {x: 4, y: 12}, `max ${top.toFixed(1)}/s`));
}

function bars(entries, width = 600) {
  const top = Math.max(1, ...entries.map(([, v]) => v));
  const height = entries.length * 22;
  return svg("svg", {viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": "bar chart"},
    entries.map(([name, value], i) => [
      svg("text", {x: 0, y: i * 22 + 14}, name),
      svg("rect", {x: 140, y: i * 22 + 3, height: 16, width: Math.max(1, (value / top) * (width - 220)), fill: "#3b82f6"}),
      svg("text", {x: 146 + (value / top) * (width - 220), y: i * 22 + 14}, String(value)),
    ]));
}

function table(id, headers, rows) {
  $(id).replaceChildren(el("tr", {}, headers.map((h) => el("th", {}, h))), ...rows);
}

function draw(samples, overview) {
  const time = overview.time;
  const roundsTotal = samples.some((s) => s.name === "casino_sim_round_seconds_count")
    ? sum(samples, "casino_sim_round_seconds_count") : sum(samples, "casino_sim_rounds");
  const wallet = walletStats(samples);
  if (previous && time > previous.time) {
    rpsHistory.push(Math.max(0, (roundsTotal - previous.rounds) / (time - previous.time)));
    if (rpsHistory.length > HISTORY) rpsHistory.shift();
    $("rps").textContent = rpsHistory[rpsHistory.length - 1].toFixed(1);
  }
  $("rps-chart").replaceChildren(line(rpsHistory));
  $("open-rounds").textContent = String(overview.open_rounds);
  $("q-pending").textContent = String(overview.settlement.pending);
  $("q-retrying").textContent = String(overview.settlement.retrying);
  $("q-manual").textContent = String(overview.settlement.manual);
  $("status-chart").replaceChildren(bars(Object.entries(overview.rounds)));

  // wallet calls per studio: calls since start; error rate and latency between two polls when the studio had calls
  // in between, else since start
  const rows = Object.entries(wallet).sort(([a], [b]) => (a === TOTAL) - (b === TOTAL) || a.localeCompare(b))
    .map(([studio, now]) => {
      const recent = minus(now, previous && previous.wallet[studio]);
      const window = recent.calls > 0 ? recent : now;
      const q = (p) => quantile(window.buckets, p);
      const name = studio === TOTAL ? "all studios" : studio;
      return el("tr", {dataset: studio === TOTAL ? {total: "true"} : {studio}}, el("td", {}, name),
        el("td", {}, String(now.calls)),
        el("td", {}, window.calls ? `${((100 * window.failed) / window.calls).toFixed(2)} %` : "–"),
        el("td", {}, ms(q(0.5))), el("td", {}, ms(q(0.95))), el("td", {}, ms(q(0.99))));
    });
  table("wallet", ["Studio", "Calls", "Errors", "p50", "p95", "p99"], rows);

  table("faults", ["Rule", "Action", "Enabled", "Calls", "Injected", ""], overview.faults.map((rule) => {
    const button = el("button", {type: "button", "aria-label": `${rule.enabled === false ? "Enable" : "Disable"} ${rule.id}`,
      onclick: () => toggle(rule.id, rule.enabled === false)}, rule.enabled === false ? "Enable" : "Disable");
    return el("tr", {dataset: {rule: rule.id}}, el("td", {}, rule.id), el("td", {}, rule.action.type),
      el("td", {}, rule.enabled === false ? "no" : "yes"), el("td", {}, String(rule.counters.calls)),
      el("td", {}, String(rule.counters.injected)), el("td", {}, button));
  }));

  table("rounds", ["Round", "Game", "Player", "Stake", "Win", "Status", "Played"], overview.recent_rounds.map((r) =>
    el("tr", {dataset: {round: r.round_id}},
      el("td", {}, el("a", {href: r.details_url, target: "_blank", rel: "noopener"}, r.round_id.slice(0, 13))),
      el("td", {}, r.engine_id), el("td", {}, r.player_id), el("td", {}, `${r.stake} ${r.currency}`),
      el("td", {}, `${r.win} ${r.currency}`), el("td", {}, r.status),
      el("td", {}, new Date(r.created_at * 1000).toLocaleTimeString()))));

  table("journal", ["#", "Side", "Operation", "Request", "Status", "Time", "Faults"], overview.journal.map((e) =>
    el("tr", {}, el("td", {}, String(e.seq)), el("td", {}, e.side), el("td", {}, e.operation),
      el("td", {}, `${e.method} ${e.path}`), el("td", {}, e.status === null ? (e.outcome || "–") : String(e.status)),
      el("td", {}, e.elapsed === null || e.elapsed === undefined ? "–" : ms(e.elapsed)),
      el("td", {}, (e.faults || []).join(", ")))));

  previous = {time, rounds: roundsTotal, wallet};
  $("updated").textContent = `updated ${new Date(time * 1000).toLocaleTimeString()}`;
  document.body.dataset.ready = "true";
}

async function toggle(ruleId, enabled) {
  try {
    await call(`/admin/api/faults/${encodeURIComponent(ruleId)}/enabled`, {method: "POST",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify({enabled})});
    await refresh();
  } catch (error) { $("updated").textContent = error.message; }
}

const RTP_MS = 30000; // the RTP monitor reads every closed round: less often than the rest
let rtpRead = 0;

function pct(value) { return value === null || value === undefined ? "–" : `${value.toFixed(2)}%`; }

async function refreshRtp() {
  const {games} = await (await call("/admin/api/rtp")).json();
  table("rtp", ["Game", "Engine", "Currency", "Rounds", "Observed", "Declared", "Band", "Status"], games.map((g) =>
    el("tr", {dataset: {status: g.status}}, el("td", {}, g.game_id), el("td", {}, g.engine_id),
      el("td", {}, g.currency), el("td", {}, String(g.rounds)), el("td", {}, pct(g.observed_rtp)),
      el("td", {}, pct(g.declared_rtp)), el("td", {}, g.low === null ? "–" : `${pct(g.low)} – ${pct(g.high)}`),
      el("td", {}, g.status === "outside" ? "OUTSIDE" : g.status.replaceAll("_", " ")))));
}

async function refresh() {
  if (Date.now() - rtpRead > RTP_MS) { await refreshRtp(); rtpRead = Date.now(); }
  const [metrics, overview] = await Promise.all([call("/metrics"), call("/admin/api/overview")]);
  draw(parseMetrics(await metrics.text()), await overview.json());
}

async function loop() {
  try {
    await refresh();
    $("login").hidden = true;
    $("panels").hidden = false;
  } catch (error) {
    if (error.auth) { showLogin(error.message); return; }
    $("updated").textContent = error.message;
  }
  setTimeout(loop, POLL_MS);
}

function showLogin(message = "") {
  $("login").hidden = false;
  $("panels").hidden = true;
  $("login-error").textContent = message;
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("casino-sim-admin", token);
  loop();
});

const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("token")) {
  token = fragment.get("token");
  sessionStorage.setItem("casino-sim-admin", token);
  history.replaceState(null, "", location.pathname + location.search);
}
if (token) loop(); else showLogin();
