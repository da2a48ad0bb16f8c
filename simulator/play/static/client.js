// The game client's core: the session, the play API, the balance, the stake ladder, the lobby bridge and the
// developer panel. The game's own module (board.module) draws the board and reads the bet options; freerounds.js
// offers the session's free rounds and market.js shows what a regulated market asks for.
import { el, money } from "/static/common.js";
import { mountFreeRounds } from "/static/freerounds.js";
import { mountMarket } from "/static/market.js";

const token = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const base = "/play/" + encodeURIComponent(token);
const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);

let session = null;
let game = null;
let balance = null;
let openRound = null;
let paused = false;
let busy = false;
let held = false; // a reality check waits for an answer, or the server closed the session
let market = null;
let freeRounds = null;
const started = Date.now();
let roundsPlayed = 0, staked = 0, won = 0;

// ---- lobby bridge: events to the parent frame, a few commands from it ----
let lobbyOrigin = "*";
function post(type, data = {}) {
  if (window.parent === window) return;
  window.parent.postMessage({source: "casino-sim", type, ...data}, lobbyOrigin);
}
window.addEventListener("message", (event) => {
  if (event.source !== window.parent || window.parent === window) return;
  if (lobbyOrigin !== "*" && event.origin !== lobbyOrigin) return;
  const type = event.data && typeof event.data === "object" ? event.data.type : null;
  if (type === "pause") setPaused(true);
  else if (type === "resume") setPaused(false);
  else if (type === "refreshBalance") refreshBalance();
});

function setPaused(value) {
  paused = value;
  say(paused ? "Paused by the lobby" : "");
  syncButtons();
}

// ---- API with the developer panel's raw view ----
async function api(method, path, body) {
  const request = {method, url: base + path, body};
  $("dev-request").textContent = JSON.stringify(request, null, 2);
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : {"Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (error) { data = {error: {code: "BAD_REPLY", message: "unreadable reply"}}; }
  $("dev-response").textContent = `HTTP ${response.status}\n` + JSON.stringify(data, null, 2);
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || response.statusText);
    error.code = data.error && data.error.code;
    error.body = data;
    throw error;
  }
  return data;
}

function fmt(amount) { return money(amount, session.currency, session.minor_unit, session.language); }

function say(text, kind = "") {
  const message = $("message");
  message.textContent = text;
  message.className = "message " + kind;
}

function fail(error) {
  if (market && market.refused(error)) {
    // the dialog or the closed banner tells the player; the message line only points at the dialog
    if (error.code === "REALITY_CHECK_DUE") say("Reality check: choose to continue or to stop", "error");
    post("error", {code: error.code, message: error.message});
    return;
  }
  say(error.message, "error");
  post("error", {code: error.code || "CLIENT_ERROR", message: error.message});
}

function showBalance(value) {
  if (value === null || value === undefined) return;
  const changed = value !== balance;
  balance = value;
  $("balance").textContent = fmt(value);
  if (changed) post("balanceChanged", {balance: value, currency: session.currency});
}

async function refreshBalance() {
  try { showBalance((await api("GET", "/balance")).balance); } catch (error) { fail(error); }
}

function stake() { return Number($("stake").value); }

function syncButtons() {
  const blocked = paused || busy;
  $("play").disabled = blocked || held || openRound !== null || !game || !game.ready();
  // an open round can always be finished, even once a reality check is due or a limit has closed the session
  for (const button of $("actions").querySelectorAll("button")) button.disabled = blocked;
  if (game && game.lock) game.lock(blocked || openRound === null);
  if (freeRounds) freeRounds.lock(blocked || held || openRound !== null);
}

function showFairness(hash, clientSeed, nonce) {
  $("fair-hash").textContent = hash;
  $("fair-client").textContent = clientSeed;
  $("fair-nonce").textContent = String(nonce);
}

function showRound(round, campaignId = null) {
  game.show(round);
  showBalance(round.balance);
  showFairness(round.fairness.server_seed_hash, round.fairness.client_seed, round.fairness.nonce + 1);
  const link = $("details-link");
  link.href = round.details_url;
  link.hidden = false;
  openRound = round.finished === false ? round : null;
  const actions = $("actions");
  actions.replaceChildren();
  if (openRound) {
    for (const action of openRound.actions) {
      if (game.handles && game.handles.includes(action)) continue;
      actions.append(el("button", {type: "button", onclick: () => act(action, {})}, label(action)));
    }
    say(game.prompt ? game.prompt(round) : "Your move");
  } else {
    $("win").textContent = fmt(round.win);
    // where the market forbids it, a win at or below the stake is told plainly, not celebrated
    const celebrate = round.market ? round.market.celebrate : round.win > 0;
    if (celebrate) say(`You win ${fmt(round.win)}`, "win");
    else say(round.win > 0 ? `Returned ${fmt(round.win)}` : "No win this time");
    roundsPlayed += 1; won += round.win;
    if (!campaignId) staked += round.amount;
    post("roundEnded", {roundId: round.round_id, stake: round.amount, win: round.win, balance: round.balance,
      currency: session.currency, detailsUrl: round.details_url, ...(campaignId ? {campaignId} : {})});
  }
  if (market) market.update(round.market);
  syncButtons();
}

function label(action) {
  return action.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

async function play() {
  const amount = game.amount ? game.amount() : stake();
  const params = game.params();
  busy = true; syncButtons();
  say("…");
  post("roundStarted", {stake: amount, currency: session.currency});
  try {
    showRound(await api("POST", "/rounds", {amount, params}));
  } catch (error) {
    fail(error);
  } finally {
    busy = false; syncButtons();
  }
}

// a free round plays at the campaign's stake; a game whose chips set the stake (roulette, baccarat) plays the
// engine's reference bet there, since its chips would not add up to that stake
async function playFree(offer) {
  if (busy || paused || held || openRound) return;
  busy = true; syncButtons();
  say("…");
  post("roundStarted", {stake: offer.bet_value, currency: session.currency, campaignId: offer.campaign_id});
  try {
    const params = game.amount ? {} : game.params();
    showRound(await api("POST", "/free-rounds", {campaign_id: offer.campaign_id, params}), offer.campaign_id);
  } catch (error) {
    fail(error);
  } finally {
    busy = false;
    try { freeRounds.show((await api("GET", "/session")).free_rounds); } catch (error) { fail(error); }
    syncButtons();
  }
}

async function act(action, params) {
  if (!openRound || busy || paused) return;
  busy = true; syncButtons();
  try {
    showRound(await api("POST", `/rounds/${encodeURIComponent(openRound.round_id)}/actions`, {action, params}));
  } catch (error) {
    fail(error);
  } finally {
    busy = false; syncButtons();
  }
}

async function rotate() {
  const body = {};
  const seed = $("client-seed").value.trim();
  if (seed) body.client_seed = seed;
  try {
    const reply = await api("POST", "/fairness/rotate", body);
    $("fair-revealed").textContent = reply.revealed_server_seed;
    showFairness(reply.server_seed_hash, reply.client_seed, reply.next_nonce);
  } catch (error) { fail(error); }
}

function setupLobby() {
  for (const [id, url, event] of [["exit", session.lobby_url, "closed"], ["deposit", session.cashier_url, "deposit"]]) {
    if (!url) continue;
    const link = $(id);
    link.href = url; // validated http(s) at launch; set as a property, never parsed as markup
    link.hidden = false;
    link.addEventListener("click", () => post(event, {url}));
  }
  if (session.lobby_url) lobbyOrigin = new URL(session.lobby_url).origin;
}

function setupRealityTimer() {
  // the server's reality check, when the session has one, is the only one; else the lobby may ask for a timer
  const every = market.checksOnServer ? 0 : Number(query.get("reality_check") || 0);
  if (every >= 10) {
    setInterval(() => post("realityCheck", {elapsedSeconds: Math.round((Date.now() - started) / 1000),
      rounds: roundsPlayed, staked, won, currency: session.currency}), every * 1000);
  }
}

function setupStakes() {
  const select = $("stake");
  const steps = session.bet_steps.length ? session.bet_steps : [session.min_bet];
  for (const step of steps) select.append(el("option", {value: step}, fmt(step)));
  select.value = String(steps[Math.min(steps.length - 1, Math.floor(steps.length / 4))]);
  select.addEventListener("change", () => game.stakeChanged && game.stakeChanged());
}

async function main() {
  try {
    session = await api("GET", "/session");
  } catch (error) {
    $("title").textContent = "This game session is not available";
    fail(error);
    return;
  }
  if (session.language) document.documentElement.lang = session.language;
  document.title = session.game_name;
  $("title").textContent = session.game_name;
  document.body.dataset.platform = session.platform || "";
  document.body.dataset.family = session.board.family;
  setupLobby();
  market = mountMarket({session, fmt, api, say, fail, post, block: (value) => { held = value; syncButtons(); }});
  setupRealityTimer();
  freeRounds = mountFreeRounds({session, fmt, playFree});
  freeRounds.show(session.free_rounds);
  setupStakes();
  showFairness(session.server_seed_hash, session.client_seed, session.next_nonce);
  const module = await import("/static/" + session.board.module);
  game = module.mount({
    session, board: $("board"), options: $("options"), stake, fmt, act, say,
    refresh: syncButtons, stakeLabel: (text) => { $("stake-label").textContent = text; },
  });
  $("play").textContent = game.playLabel || "Play";
  $("play").addEventListener("click", play);
  $("rotate").addEventListener("click", rotate);
  await refreshBalance();
  try {
    const open = await api("GET", "/rounds/open");
    if (open.rounds.length) showRound(open.rounds[0]);
  } catch (error) { fail(error); }
  syncButtons();
  document.body.dataset.ready = "true";
  post("loaded", {gameId: session.game_id, currency: session.currency, balance});
}

main();
