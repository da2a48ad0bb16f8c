// Roulette: a table to place chips on (one click, one chip of the chosen value), and the pocket the ball found.
import { el } from "/static/common.js";

const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
const color = (n) => (n === 0 || n === "00" ? "green" : RED.has(n) ? "red" : "black");

export function mount(ctx) {
  const american = ctx.session.board.pockets === 38;
  const bets = new Map(); // key -> {bet, amount}
  const spots = new Map(); // key -> element
  const pocket = el("div", {class: "pocket green", "aria-label": "Winning pocket"}, "–");
  const table = el("div", {class: "rtable", role: "group", "aria-label": "Roulette table"});
  const total = el("span", {class: "label"});
  ctx.board.append(el("div", {class: "felt"}, pocket, table));
  ctx.stakeLabel("Chip");

  function spot(key, text, bet, css, span = 1) {
    const node = el("button", {type: "button", class: `spot ${css}`, "aria-label": `bet ${text}`, dataset: {bet: key},
      onclick: () => place(key, bet)}, text);
    if (span > 1) node.style.gridColumn = `span ${span}`;
    spots.set(key, node);
    return node;
  }

  // zero(s) on the left, 3 rows of 12 numbers, column bets on the right; dozens and even-money bets below
  const zeros = american ? [0, "00"] : [0];
  const zeroCell = el("div", {class: "zeros"});
  zeroCell.style.gridRow = "span 3";
  zeroCell.style.display = "grid";
  for (const z of zeros) zeroCell.append(spot(`n${z}`, String(z), {type: "straight", numbers: [z]}, "green"));
  table.append(zeroCell);
  for (let row = 0; row < 3; row += 1) {
    for (let col = 0; col < 12; col += 1) {
      const n = col * 3 + (3 - row);
      table.append(spot(`n${n}`, String(n), {type: "straight", numbers: [n]}, color(n)));
    }
    table.append(spot(`c${3 - row}`, "2:1", {type: "column", which: 3 - row}, "outside"));
  }
  table.append(el("div"));
  for (const which of [1, 2, 3]) {
    table.append(spot(`d${which}`, `${which === 1 ? "1st" : which === 2 ? "2nd" : "3rd"} 12`, {type: "dozen", which},
      "outside", 4));
  }
  table.append(el("div"), el("div"));
  for (const [type, text] of [["low", "1-18"], ["even", "Even"], ["red", "Red"], ["black", "Black"], ["odd", "Odd"],
    ["high", "19-36"]]) {
    table.append(spot(type, text, {type}, type === "red" ? "red" : type === "black" ? "black" : "outside", 2));
  }
  const clear = el("button", {type: "button", onclick: () => { bets.clear(); redraw(); }}, "Clear bets");
  ctx.options.append(clear, total);

  function place(key, bet) {
    const current = bets.get(key) || {bet, amount: 0};
    current.amount += ctx.stake();
    bets.set(key, current);
    redraw();
  }

  function redraw() {
    for (const [key, node] of spots) {
      node.querySelector(".chip")?.remove();
      const placed = bets.get(key);
      if (placed) node.append(el("span", {class: "chip"}, ctx.fmt(placed.amount)));
    }
    total.textContent = bets.size ? `Total bet ${ctx.fmt(amount())}` : "Click the table to place chips";
    ctx.refresh();
  }

  function amount() { let sum = 0; for (const {amount: a} of bets.values()) sum += a; return sum; }

  function params() {
    return {bets: [...bets.values()].map(({bet, amount: a}) => ({...bet, amount: a}))};
  }

  // the table as the round was bet: each recorded bet back on its spot (the inside bets this table draws)
  function keyOf(bet) {
    if (bet.type === "straight") return `n${bet.numbers[0]}`;
    if (bet.type === "dozen") return `d${(Math.min(...bet.numbers) - 1) / 12 + 1}`;
    if (bet.type === "column") return `c${[3, 1, 2][bet.numbers[0] % 3]}`;
    return spots.has(bet.type) ? bet.type : null;
  }

  function show(round) {
    const detail = round.outcome;
    bets.clear();
    for (const bet of detail.bets) {
      const key = keyOf(bet);
      if (key === null || bet.call) continue;
      const placed = bets.get(key) || {bet: {type: bet.type, numbers: bet.numbers}, amount: 0};
      placed.amount += bet.amount;
      bets.set(key, placed);
    }
    redraw();
    pocket.textContent = detail.label;
    pocket.className = `pocket ${detail.color}`;
    pocket.dataset.pocket = detail.label;
    for (const node of spots.values()) node.classList.remove("winning");
    spots.get(`n${detail.label}`)?.classList.add("winning");
  }

  redraw();
  return {show, params, amount, ready: () => bets.size > 0, playLabel: "Spin"};
}
