// Slots: the reels' stopped window (rows x reels), winning paylines or ways lit, and the free spins the round paid.
import { el } from "/static/common.js";

export function mount(ctx) {
  const shape = ctx.session.board;
  const reels = el("div", {class: "reels", role: "grid", "aria-label": "Reels"});
  reels.style.gridTemplateColumns = `repeat(${shape.reels}, 1fr)`;
  const wins = el("div", {class: "wins", "aria-label": "Winning lines"});
  const free = el("div", {class: "free", "aria-label": "Free spins"});
  ctx.board.append(reels, wins, free);
  draw(blank(shape), []);

  function blank() {
    return Array.from({length: shape.rows}, () => Array.from({length: shape.reels}, () => "?"));
  }

  // The cells a win covers: a payline's first `count` positions (the engine numbers its paylines from 1), or for ways
  // every matching cell (the symbol or a wild) on the first `count` reels.
  function cells(window, win) {
    const lit = new Set();
    if (win.line !== undefined) {
      const line = shape.lines[win.line - 1];
      for (let reel = 0; reel < win.count; reel += 1) lit.add(`${line[reel]}:${reel}`);
    } else {
      for (let reel = 0; reel < win.count; reel += 1) {
        for (let row = 0; row < shape.rows; row += 1) {
          const symbol = window[row][reel];
          if (symbol === win.symbol || symbol === shape.wild) lit.add(`${row}:${reel}`);
        }
      }
    }
    return lit;
  }

  function draw(window, spinWins, scatter) {
    const lit = new Set();
    for (const win of spinWins) for (const cell of cells(window, win)) lit.add(cell);
    if (scatter && scatter.pay > 0) {
      window.forEach((row, r) => row.forEach((symbol, c) => { if (symbol === shape.scatter) lit.add(`${r}:${c}`); }));
    }
    reels.replaceChildren(...window.flatMap((row, r) => row.map((symbol, c) => el("div", {
      class: `cell sym-${symbol}` + (lit.has(`${r}:${c}`) ? " hit" : ""), role: "gridcell",
      dataset: {row: r, reel: c, symbol}, "aria-label": symbol,
    }, symbol))));
    wins.replaceChildren(...spinWins.map((win) => el("div", {class: "win-line"},
      win.line !== undefined
        ? `Line ${win.line}: ${win.count} × ${win.symbol} pays ${win.pay} units`
        : `${win.ways} way${win.ways > 1 ? "s" : ""}: ${win.count} × ${win.symbol} pays ${win.pay} units`)));
  }

  function show(round) {
    const detail = round.outcome;
    draw(detail.window, detail.wins, detail.scatter);
    const spins = detail.free_spins || [];
    free.replaceChildren();
    if (detail.free_spins_awarded || spins.length) {
      free.append(el("span", {class: "free-counter", dataset: {count: spins.length}},
        `Free spins: ${spins.length}`));
      free.append(el("button", {type: "button", onclick: () => draw(detail.window, detail.wins, detail.scatter)},
        "Base"));
      spins.forEach((spin, index) => free.append(el("button", {
        type: "button", title: `multiplier ×${spin.multiplier}, ${spin.pay} units`,
        onclick: () => draw(spin.window, spin.wins, spin.scatter),
      }, `${index + 1}`)));
    }
  }

  return {show, params: () => ({}), ready: () => true, playLabel: "Spin"};
}
