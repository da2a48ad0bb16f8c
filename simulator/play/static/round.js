// The round-details page: the round drawn by its game's own module from the record, its wallet transactions and
// its provably-fair proof. Everything shown comes from the record through textContent.
import { el, money } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const base = location.pathname.replace(/\/$/, "");

function pair(list, name, value) {
  list.append(el("dt", {}, name), el("dd", {dataset: {field: name}}, value));
}

async function sha256(text) {
  if (!window.crypto || !crypto.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function main() {
  const response = await fetch(base + "/data");
  const round = await response.json();
  if (!response.ok) {
    $("title").textContent = (round.error && round.error.message) || "Round not found";
    return;
  }
  const fmt = (amount) => money(amount, round.currency, round.minor_unit);
  document.title = `Round ${round.round_id}`;
  $("title").textContent = round.game_name;
  const summary = $("summary");
  pair(summary, "Round", round.round_id);
  pair(summary, "Status", round.status);
  pair(summary, "Player", round.player_id);
  pair(summary, "Played at", new Date(round.created_at * 1000).toISOString());
  pair(summary, "Stake", fmt(round.amount));
  pair(summary, "Win", fmt(round.win));

  const module = await import("/static/" + round.board.module);
  const session = {board: round.board, currency: round.currency, minor_unit: round.minor_unit, bet_steps: []};
  const game = module.mount({
    session, board: $("board"), options: el("div"), stake: () => round.amount, fmt, act: () => {}, say: () => {},
    refresh: () => {}, stakeLabel: () => {},
  });
  game.show(round);
  if (game.lock) game.lock(true);
  $("board").inert = true; // a record, not a game: nothing on it can be played

  const table = $("transactions");
  table.append(el("tr", {}, ["Kind", "Amount", "Status", "Attempts", "Balance after", "Transaction id"].map(
    (h) => el("th", {}, h))));
  for (const t of round.transactions) {
    table.append(el("tr", {dataset: {kind: t.kind}}, el("td", {}, t.kind), el("td", {}, fmt(t.amount)),
      el("td", {}, t.status), el("td", {}, String(t.attempts)),
      el("td", {}, t.balance_after === null ? "–" : fmt(t.balance_after)), el("td", {}, t.transaction_id)));
  }

  const proof = $("proof");
  const fair = round.fairness;
  pair(proof, "Server seed hash", fair.server_seed_hash);
  pair(proof, "Client seed", fair.client_seed);
  pair(proof, "Nonce", String(fair.nonce));
  pair(proof, "RNG", `${fair.rng} / ${fair.mapping}`);
  pair(proof, "Server seed", fair.server_seed || "not revealed yet (rotate the session's seed to reveal it)");
  const verify = $("verify");
  verify.disabled = !fair.server_seed;
  verify.addEventListener("click", async () => {
    const verdict = $("verdict");
    verdict.textContent = "Verifying…";
    const local = await sha256(fair.server_seed);
    const reply = await fetch(base + "/verify", {method: "POST"});
    const result = await reply.json();
    if (!reply.ok) { verdict.textContent = result.error.message; return; }
    const hashOk = local === null ? result.commitment_ok : local === fair.server_seed_hash && result.commitment_ok;
    const ok = hashOk && result.matches_round;
    verdict.dataset.verified = String(ok);
    verdict.className = ok ? "message win" : "message error";
    verdict.textContent = ok
      ? "Verified: the seed matches its commitment and replays this exact outcome"
      : `Mismatch: commitment ${hashOk ? "ok" : "wrong"}, outcome ${result.matches_round ? "ok" : "differs"}`;
  });
  document.body.dataset.ready = "true";
}

main();
