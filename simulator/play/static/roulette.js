// Roulette: a table to place chips on (one click, one chip of the chosen value), and the pocket the ball found.
// Straights are the number boxes; every other inside bet the engine takes (board.inside: splits, streets, corners,
// six lines, the five-number bet) is a spot where its boxes meet: the line between two numbers for a split, the
// crossing of four for a corner, the table's outer edge under a column for a street (under two for a six line).
import { el } from "/static/common.js";

const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
const color = (n) => (n === 0 || n === "00" ? "green" : RED.has(n) ? "red" : "black");
const COLUMNS = 14; // the zero column, twelve columns of numbers, the 2:1 column bets
const ROWS = 3;
const NAMES = {split: "split", street: "street", corner: "corner", six_line: "six line", five_number: "five number",
  voisins: "Voisins du zéro", tiers: "Tiers du cylindre", orphelins: "Orphelins", jeu_zero: "Jeu zéro"};

// a bet's key: its type and the numbers it covers in the engine's order (ascending, "00" last)
const rank = (n) => (n === "00" ? 37 : n);
const keyOf = (type, numbers) => `${type}:${[...numbers].sort((a, b) => rank(a) - rank(b)).join("-")}`;

// a number's box on the felt, in column and row units: x from the zero column's left edge, y from the top row (3)
function box(n, american) {
  if (n === 0) return american ? {x: [0, 1], y: [1.5, 3]} : {x: [0, 1], y: [0, 3]};
  if (n === "00") return {x: [0, 1], y: [0, 1.5]};
  const column = Math.floor((n - 1) / 3);
  const row = 2 - ((n - 1) % 3);
  return {x: [column + 1, column + 2], y: [row, row + 1]};
}

// where an inside bet's chip goes: the middle of what its boxes share (a line, a crossing); a bet across all three
// rows (street, six line, the zero corners) shares no point and sits on the outer edge under the columns it spans
function anchor(numbers, american) {
  const boxes = numbers.map((n) => box(n, american));
  const shared = (axis) => [Math.max(...boxes.map((b) => b[axis][0])), Math.min(...boxes.map((b) => b[axis][1]))];
  const [x0, x1] = shared("x");
  const [y0, y1] = shared("y");
  return {x: (x0 + x1) / 2, y: y0 <= y1 ? (y0 + y1) / 2 : ROWS};
}

export function mount(ctx) {
  const board = ctx.session.board;
  const american = board.pockets === 38;
  const bets = new Map(); // key -> {bet, amount}
  const spots = new Map(); // key -> element
  const pocket = el("div", {class: "pocket green", "aria-label": "Winning pocket"}, "–");
  const inside = el("div", {class: "rinside", role: "group", "aria-label": "Roulette table"});
  const outside = el("div", {class: "routside", role: "group", "aria-label": "Outside bets"});
  const calls = el("div", {class: "rcalls", role: "group", "aria-label": "Announced bets"});
  const total = el("span", {class: "label"});
  ctx.board.append(el("div", {class: "felt"}, pocket, inside, outside, calls));
  ctx.stakeLabel("Chip");

  function spot(key, text, bet, css, chips = 1) {
    const node = el("button", {type: "button", class: `spot ${css}`, "aria-label": `bet ${text}`, dataset: {bet: key},
      onclick: () => place(key, bet, chips)}, css.includes("hot") ? "" : text);
    spots.set(key, node);
    return node;
  }

  // in half rows: "00" over 0 on the American table (00 touches 2 and 3, 0 touches 1 and 2)
  const at = (node, column, row, rows) => {
    node.style.gridColumn = `${column + 1}`;
    node.style.gridRow = `${row + 1} / span ${rows}`;
    return node;
  };
  if (american) {
    inside.append(at(spot("n00", "00", {type: "straight", numbers: ["00"]}, "green"), 0, 0, 3));
    inside.append(at(spot("n0", "0", {type: "straight", numbers: [0]}, "green"), 0, 3, 3));
  } else {
    inside.append(at(spot("n0", "0", {type: "straight", numbers: [0]}, "green"), 0, 0, 6));
  }
  for (let n = 1; n <= 36; n += 1) {
    const {x, y} = box(n, american);
    inside.append(at(spot(`n${n}`, String(n), {type: "straight", numbers: [n]}, color(n)), x[0], y[0] * 2, 2));
  }
  for (const which of [3, 2, 1]) {
    inside.append(at(spot(`c${which}`, "2:1", {type: "column", which}, "outside"), COLUMNS - 1, (3 - which) * 2, 2));
  }
  for (const [type, sets] of Object.entries(board.inside || {})) {
    for (const numbers of sets) {
      const key = keyOf(type, numbers);
      const {x, y} = anchor(numbers, american);
      const node = spot(key, `${NAMES[type] || type} ${numbers.join("/")}`, {type, numbers}, "hot");
      node.style.left = `${(100 * x) / COLUMNS}%`;
      node.style.top = `${(100 * y) / ROWS}%`;
      inside.append(node);
    }
  }

  outside.append(el("div"));
  for (const which of [1, 2, 3]) {
    const node = spot(`d${which}`, `${which === 1 ? "1st" : which === 2 ? "2nd" : "3rd"} 12`, {type: "dozen", which},
      "outside");
    node.style.gridColumn = "span 4";
    outside.append(node);
  }
  outside.append(el("div"), el("div"));
  for (const [type, text] of [["low", "1-18"], ["even", "Even"], ["red", "Red"], ["black", "Black"], ["odd", "Odd"],
    ["high", "19-36"]]) {
    const node = spot(type, text, {type}, type === "red" ? "red" : type === "black" ? "black" : "outside");
    node.style.gridColumn = "span 2";
    outside.append(node);
  }
  // announced bets (French table): one click puts the chip value on each of the bet's chips
  for (const [name, chips] of Object.entries(board.call_bets || {})) {
    calls.append(spot(name, `${NAMES[name] || name} (${chips} chips)`, {type: name}, "outside call", chips));
  }
  calls.hidden = !calls.childElementCount;

  const clear = el("button", {type: "button", onclick: () => { bets.clear(); redraw(); }}, "Clear bets");
  ctx.options.append(clear, total);

  function place(key, bet, chips) {
    const current = bets.get(key) || {bet, amount: 0};
    current.amount += ctx.stake() * chips;
    bets.set(key, current);
    redraw();
  }

  function redraw() {
    for (const [key, node] of spots) {
      node.querySelector(".chip")?.remove();
      node.classList.toggle("placed", bets.has(key));
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

  // a recorded bet's spot; an announced bet's parts go back on the announced bet
  function recordedKey(bet) {
    if (bet.call) return bet.call;
    if (bet.type === "straight") return `n${bet.numbers[0]}`;
    if (bet.type === "dozen") return `d${(Math.min(...bet.numbers) - 1) / 12 + 1}`;
    if (bet.type === "column") return `c${[3, 1, 2][bet.numbers[0] % 3]}`;
    if (spots.has(bet.type)) return bet.type;
    const key = keyOf(bet.type, bet.numbers);
    return spots.has(key) ? key : null;
  }

  function show(round) {
    const detail = round.outcome;
    bets.clear();
    const won = new Set();
    for (const bet of detail.bets) {
      const key = recordedKey(bet);
      if (key === null) continue;
      const placed = bets.get(key) || {bet: bet.call ? {type: bet.call} : {type: bet.type, numbers: bet.numbers},
        amount: 0};
      placed.amount += bet.amount;
      bets.set(key, placed);
      if (bet.win > 0) won.add(key);
    }
    redraw();
    pocket.textContent = detail.label;
    pocket.className = `pocket ${detail.color}`;
    pocket.dataset.pocket = detail.label;
    for (const [key, node] of spots) node.classList.toggle("won", won.has(key));
    for (const node of spots.values()) node.classList.remove("winning");
    spots.get(`n${detail.label}`)?.classList.add("winning");
  }

  redraw();
  return {show, params, amount, ready: () => bets.size > 0, playLabel: "Spin"};
}
