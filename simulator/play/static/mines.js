// Mines: a 5 x 5 field; click a tile to reveal it, cash out whenever the multiplier suits you.
import { el } from "/static/common.js";

export function mount(ctx) {
  const tiles = ctx.session.board.tiles;
  const side = Math.round(Math.sqrt(tiles));
  const mines = el("select", {id: "mines-count", "aria-label": "Mines"});
  for (let n = 1; n < tiles; n += 1) mines.append(el("option", {value: n}, String(n)));
  mines.value = String(ctx.session.board.reference_params.mines);
  ctx.options.append(el("label", {for: "mines-count"}, "Mines"), mines);
  const multiplier = el("div", {class: "big", "aria-label": "Multiplier"}, "×1.00");
  const grid = el("div", {class: "grid", role: "grid", "aria-label": "Mines field"});
  grid.style.gridTemplateColumns = `repeat(${side}, 1fr)`;
  const buttons = [];
  for (let tile = 0; tile < tiles; tile += 1) {
    const button = el("button", {type: "button", class: "tile", "aria-label": `tile ${tile + 1}`, dataset: {tile},
      disabled: true, onclick: () => ctx.act("reveal", {tile})});
    buttons.push(button);
    grid.append(button);
  }
  ctx.board.append(multiplier, grid);

  function show(round) {
    const view = round.view;
    const revealed = new Set(view.revealed);
    const bombs = new Set(view.mine_tiles || []);
    buttons.forEach((button, tile) => {
      button.className = "tile";
      button.textContent = "";
      button.dataset.state = "hidden";
      if (bombs.has(tile)) { button.classList.add("mine"); button.textContent = "✹"; button.dataset.state = "mine"; }
      else if (revealed.has(tile) || view.mine_tiles) {
        if (revealed.has(tile)) { button.classList.add("gem"); button.textContent = "◆"; button.dataset.state = "gem"; }
      }
      if (revealed.has(tile)) button.classList.add("picked");
    });
    multiplier.textContent = `×${Number(view.multiplier).toFixed(2)}`;
    multiplier.className = "big" + (view.status === "busted" ? " lose" : view.status === "playing" ? "" : " win");
  }

  function lock(blocked) {
    buttons.forEach((button) => { button.disabled = blocked || button.dataset.state !== "hidden"; });
    mines.disabled = !blocked;
  }

  return {show, lock, handles: ["reveal"], ready: () => true, playLabel: "Bet",
    params: () => ({mines: Number(mines.value)}),
    prompt: (round) => round.view.revealed.length ? `Next tile pays ×${round.view.next_multiplier}` : "Pick a tile"};
}
