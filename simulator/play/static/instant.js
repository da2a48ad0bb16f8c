// Instant games: dice (slider), limbo and crash (a multiplier), plinko (a ball's path), keno (a board of numbers)
// and wheel (segments). Each draws the round's recorded outcome; nothing here decides a result.
import { el, svg } from "/static/common.js";

export function mount(ctx) {
  const kinds = {dice, limbo, crash, plinko, keno, wheel};
  return kinds[ctx.session.board.family](ctx, ctx.session.board.reference_params);
}

function field(ctx, id, text, input) {
  input.id = id;
  ctx.options.append(el("label", {for: id}, text), input);
  return input;
}

function pick(ctx, id, text, values, chosen) {
  const select = el("select");
  for (const value of values) select.append(el("option", {value}, String(value)));
  select.value = String(chosen);
  return field(ctx, id, text, select);
}

function dice(ctx, reference) {
  const target = field(ctx, "dice-target", "Target", el("input", {type: "range", min: "2", max: "98", step: "0.01",
    value: reference.target}));
  const direction = pick(ctx, "dice-direction", "Roll", ["over", "under"], reference.direction);
  const shown = el("span", {class: "label"});
  ctx.options.append(shown);
  const track = el("div", {class: "track"});
  const marker = el("div", {class: "marker", "aria-label": "Roll"}, "");
  track.append(marker);
  const roll = el("div", {class: "big", "aria-label": "Roll result"}, "–");
  ctx.board.append(roll, track);
  function paint() {
    const t = Number(target.value);
    const over = direction.value === "over";
    track.style.background = `linear-gradient(90deg, ${over ? "#b91c1c" : "#15803d"} ${t}%, ${over ? "#15803d" : "#b91c1c"} ${t}%)`;
    shown.textContent = `${over ? "over" : "under"} ${t.toFixed(2)}`;
  }
  target.addEventListener("input", paint);
  direction.addEventListener("change", paint);
  paint();
  return {
    ready: () => true, playLabel: "Roll",
    params: () => ({target: Number(target.value).toFixed(2), direction: direction.value}),
    show(round) {
      const d = round.outcome;
      roll.textContent = d.roll;
      roll.className = "big " + (d.won ? "win" : "lose");
      marker.textContent = d.roll;
      marker.style.left = `${Number(d.roll)}%`;
    },
  };
}

function limbo(ctx, reference) {
  const target = field(ctx, "limbo-target", "Target ×", el("input", {type: "number", min: "1.01", step: "0.01",
    value: reference.target}));
  const result = el("div", {class: "big", "aria-label": "Multiplier"}, "×–");
  ctx.board.append(result);
  return {
    ready: () => true, playLabel: "Bet",
    params: () => ({target: Number(target.value).toFixed(2)}),
    show(round) {
      result.textContent = `×${round.outcome.result}`;
      result.className = "big " + (round.outcome.won ? "win" : "lose");
    },
  };
}

function crash(ctx, reference) {
  const auto = field(ctx, "crash-auto", "Auto cash-out ×", el("input", {type: "number", min: "1.01", step: "0.01",
    value: reference.auto_cashout}));
  const meter = el("div", {class: "big", "aria-label": "Multiplier"}, "×1.00");
  const cash = el("button", {type: "button", class: "primary", disabled: true}, "Cash out");
  const ride = el("button", {type: "button", disabled: true}, "Ride to auto cash-out");
  ctx.board.append(meter, el("div", {class: "row"}, cash, ride));
  let timer = null, started = 0, current = 1;
  // the climb shown while flying; where it stops is the server's secret until the player claims a point
  const climb = () => { current = Math.floor(100 * Math.exp((performance.now() - started) / 6000)) / 100;
    meter.textContent = `×${current.toFixed(2)}`; };
  cash.addEventListener("click", () => ctx.act("cashout", {multiplier: current.toFixed(2)}));
  ride.addEventListener("click", () => ctx.act("ride", {}));
  return {
    handles: ["cashout", "ride"], ready: () => true, playLabel: "Bet",
    params: () => (auto.value ? {auto_cashout: Number(auto.value).toFixed(2)} : {}),
    lock(blocked) { cash.disabled = blocked; ride.disabled = blocked; },
    prompt: () => "Flying… cash out before it crashes",
    show(round) {
      const view = round.view;
      clearInterval(timer);
      if (view.status === "flying") {
        started = performance.now();
        timer = setInterval(climb, 50);
        meter.className = "big";
        return;
      }
      meter.dataset.bust = view.bust;
      meter.textContent = view.status === "cashed_out" ? `Cashed out ×${view.cashed_out_at} (bust ×${view.bust})`
        : `Crashed at ×${view.bust}`;
      meter.className = "big " + (view.status === "cashed_out" ? "win" : "lose");
    },
  };
}

function plinko(ctx, reference) {
  const b = ctx.session.board;
  const rowsIn = pick(ctx, "plinko-rows", "Rows", Array.from({length: b.max_rows - b.min_rows + 1}, (_, i) => b.min_rows + i), reference.rows);
  const risk = pick(ctx, "plinko-risk", "Risk", b.risks, reference.risk);
  const drawing = svg("svg", {viewBox: "0 0 340 300", role: "img", "aria-label": "Plinko board"});
  const result = el("div", {class: "big", "aria-label": "Multiplier"}, "×–");
  ctx.board.append(drawing, result);
  function board(rows, path, slot) {
    const gap = 320 / (rows + 2);
    const nodes = [];
    for (let r = 0; r < rows; r += 1) {
      for (let p = 0; p <= r + 2; p += 1) {
        nodes.push(svg("circle", {cx: 170 + (p - (r + 2) / 2) * gap, cy: 16 + r * gap * 0.9, r: 2.5, fill: "#93a1b3"}));
      }
    }
    if (path) {
      let x = 170, points = [`${x},6`];
      for (let r = 0; r < rows; r += 1) { x += (path[r] === "R" ? 0.5 : -0.5) * gap; points.push(`${x},${16 + r * gap * 0.9 + gap / 2}`); }
      nodes.push(svg("polyline", {points: points.join(" "), fill: "none", stroke: "#f5b83d", "stroke-width": 3}));
      nodes.push(svg("circle", {cx: x, cy: 16 + rows * gap * 0.9, r: 7, fill: "#f5b83d"}));
      nodes.push(svg("text", {x, y: 16 + rows * gap * 0.9 + 22, "text-anchor": "middle"}, `slot ${slot}`));
    }
    drawing.replaceChildren(...nodes);
  }
  board(Number(rowsIn.value));
  rowsIn.addEventListener("change", () => board(Number(rowsIn.value)));
  return {
    ready: () => true, playLabel: "Drop",
    params: () => ({rows: Number(rowsIn.value), risk: risk.value}),
    show(round) {
      const d = round.outcome;
      board(d.rows, d.path, d.slot);
      result.textContent = `×${Number(d.multiplier).toFixed(2)}`;
      result.className = "big " + (round.win > 0 ? "win" : "lose");
    },
  };
}

function keno(ctx, reference) {
  const b = ctx.session.board;
  const picks = new Set(reference.numbers);
  const grid = el("div", {class: "grid", role: "grid", "aria-label": "Keno board"});
  grid.style.gridTemplateColumns = "repeat(8, 1fr)";
  const tiles = new Map();
  const info = el("p", {class: "label"});
  for (let n = 1; n <= b.numbers; n += 1) {
    const tile = el("button", {type: "button", class: "tile", dataset: {number: n}, onclick: () => toggle(n)}, String(n));
    tiles.set(n, tile);
    grid.append(tile);
  }
  ctx.board.append(grid, info);
  ctx.options.append(el("button", {type: "button", onclick: () => { picks.clear(); paint(); }}, "Clear picks"));
  function toggle(n) {
    if (picks.has(n)) picks.delete(n); else if (picks.size < b.max_picks) picks.add(n);
    paint();
  }
  function paint(drawn = new Set()) {
    for (const [n, tile] of tiles) {
      tile.className = "tile" + (drawn.has(n) ? (picks.has(n) ? " hit" : " drawn") : "") + (picks.has(n) ? " picked" : "");
    }
    info.textContent = `${picks.size} of ${b.max_picks} picked`;
    ctx.refresh();
  }
  paint();
  return {
    ready: () => picks.size > 0, playLabel: "Draw",
    params: () => ({numbers: [...picks].sort((x, y) => x - y)}),
    show(round) {
      const d = round.outcome;
      picks.clear();
      for (const n of d.numbers) picks.add(n);
      paint(new Set(d.drawn));
      info.textContent = `${d.hits.length} hit${d.hits.length === 1 ? "" : "s"} · ×${Number(d.multiplier).toFixed(2)}`;
    },
  };
}

function wheel(ctx, reference) {
  const b = ctx.session.board;
  const segments = pick(ctx, "wheel-segments", "Segments", b.segments, reference.segments);
  const risk = pick(ctx, "wheel-risk", "Risk", b.risks, reference.risk);
  const drawing = svg("svg", {viewBox: "-110 -110 220 220", role: "img", "aria-label": "Wheel"});
  drawing.style.maxWidth = "300px";
  drawing.style.display = "block";
  drawing.style.margin = "0 auto";
  const result = el("div", {class: "big", "aria-label": "Multiplier"}, "×–");
  ctx.board.append(drawing, result);
  function paint(count, winner) {
    const nodes = [];
    for (let i = 0; i < count; i += 1) {
      const a0 = (2 * Math.PI * i) / count - Math.PI / 2, a1 = (2 * Math.PI * (i + 1)) / count - Math.PI / 2;
      const d = `M0 0 L${100 * Math.cos(a0)} ${100 * Math.sin(a0)} A100 100 0 0 1 ${100 * Math.cos(a1)} ${100 * Math.sin(a1)} Z`;
      nodes.push(svg("path", {d, fill: i === winner ? "#f5b83d" : i % 2 ? "#263445" : "#1e3a8a", stroke: "#0f1720",
        "data-segment": i}));
    }
    nodes.push(svg("polygon", {points: "-7,-112 7,-112 0,-96", fill: "#f5b83d"}));
    drawing.replaceChildren(...nodes);
  }
  paint(Number(segments.value), -1);
  segments.addEventListener("change", () => paint(Number(segments.value), -1));
  return {
    ready: () => true, playLabel: "Spin",
    params: () => ({segments: Number(segments.value), risk: risk.value}),
    show(round) {
      const d = round.outcome;
      paint(d.segments, d.segment);
      result.textContent = `×${Number(d.multiplier).toFixed(2)}`;
      result.className = "big " + (round.win > 0 ? "win" : "lose");
    },
  };
}
