// Blackjack and baccarat: the hands as cards. Blackjack's moves are the actions the engine offers (the core draws
// them as buttons); baccarat takes chips on player, banker, tie and the pairs.
import { card, el } from "/static/common.js";

export function mount(ctx) {
  return ctx.session.board.family === "baccarat" ? baccarat(ctx) : blackjack(ctx);
}

function handRow(name, cards, total, hidden = 0, extra = "") {
  const row = el("div", {class: "hand", dataset: {hand: name}}, el("span", {class: "label"}, name));
  for (const text of cards) row.append(card(text));
  for (let i = 0; i < hidden; i += 1) row.append(card("", true));
  if (total !== null && total !== undefined) row.append(el("span", {class: "total"}, `${total}${extra}`));
  return row;
}

function blackjack(ctx) {
  const hands = el("div", {class: "hands felt", "aria-label": "Table"});
  ctx.board.append(hands);
  hands.append(el("p", {class: "label"}, "Choose a stake and deal"));

  function show(round) {
    const view = round.view;
    const rows = [handRow("Dealer", view.dealer.cards, view.dealer.total, view.dealer.hidden_cards || 0)];
    view.hands.forEach((hand, index) => {
      const tags = [hand.soft ? " soft" : "", hand.doubled ? " · doubled" : "", hand.result ? ` · ${hand.result}` : ""];
      const row = handRow(view.hands.length > 1 ? `Hand ${index + 1}` : "You", hand.cards, hand.total, 0, tags.join(""));
      if (!round.finished && index === view.active) row.classList.add("active");
      rows.push(row);
    });
    if (view.insurance !== null && view.insurance !== undefined) rows.push(el("p", {class: "label"}, `Insurance: ${JSON.stringify(view.insurance)}`));
    hands.replaceChildren(...rows);
  }

  return {show, params: () => ({}), ready: () => true, playLabel: "Deal",
    prompt: (round) => round.view.phase === "insurance" ? "Insurance?" : "Hit, stand or another move"};
}

const BACCARAT_SPOTS = [["player", "Player 1:1"], ["tie", "Tie 8:1"], ["banker", "Banker 0.95:1"],
  ["player_pair", "Player pair 11:1"], ["banker_pair", "Banker pair 11:1"]];

function baccarat(ctx) {
  const bets = new Map();
  const spots = new Map();
  const table = el("div", {class: "hands felt"});
  const layout = el("div", {class: "row", role: "group", "aria-label": "Baccarat table"});
  const total = el("span", {class: "label"});
  ctx.board.append(table, layout);
  ctx.options.append(el("button", {type: "button", onclick: () => { bets.clear(); redraw(); }}, "Clear bets"), total);
  ctx.stakeLabel("Chip");
  for (const [type, text] of BACCARAT_SPOTS) {
    const node = el("button", {type: "button", class: "spot outside", dataset: {bet: type}, "aria-label": `bet ${text}`,
      onclick: () => { bets.set(type, (bets.get(type) || 0) + ctx.stake()); redraw(); }}, text);
    node.style.padding = "10px";
    spots.set(type, node);
    layout.append(node);
  }

  function amount() { let sum = 0; for (const a of bets.values()) sum += a; return sum; }

  function redraw() {
    for (const [type, node] of spots) {
      node.querySelector(".chip")?.remove();
      if (bets.has(type)) node.append(el("span", {class: "chip"}, ctx.fmt(bets.get(type))));
    }
    total.textContent = bets.size ? `Total bet ${ctx.fmt(amount())}` : "Click a bet to place chips";
    ctx.refresh();
  }

  function show(round) {
    const d = round.outcome;
    table.replaceChildren(handRow("Player", d.player.cards, d.player.total), handRow("Banker", d.banker.cards, d.banker.total),
      el("p", {class: "result", dataset: {result: d.result}}, d.result === "tie" ? "Tie" : `${d.result === "player" ? "Player" : "Banker"} wins`));
    for (const [type, node] of spots) node.classList.toggle("winning", d.result === type);
  }

  redraw();
  return {show, amount, ready: () => bets.size > 0, playLabel: "Deal",
    params: () => ({bets: [...bets].map(([type, a]) => ({type, amount: a}))})};
}
