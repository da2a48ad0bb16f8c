// Free-round campaigns (docs/bonus.md): the session's offers, each with its rounds left, stake and expiry, and a
// button that plays one at the campaign's stake. The rounds left always come from the server, never counted here.
import { el } from "/static/common.js";

export function mountFreeRounds(ctx) {
  const panel = document.getElementById("free-rounds");
  const list = document.getElementById("free-rounds-list");
  let offers = [];
  let blocked = false;

  function expiry(seconds) {
    const date = new Date(seconds * 1000);
    return date.toLocaleString(ctx.session.language || undefined, {dateStyle: "medium", timeStyle: "short"});
  }

  function show(next) {
    offers = next || [];
    panel.hidden = offers.length === 0;
    list.replaceChildren(...offers.map((offer) => el("li", {class: "offer", dataset: {campaign: offer.campaign_id}},
      el("span", {class: "offer-text"},
        el("strong", {"aria-label": "Free rounds left", dataset: {left: offer.rounds_left}}, String(offer.rounds_left)),
        ` free ${offer.rounds_left === 1 ? "round" : "rounds"} at `,
        el("strong", {"aria-label": "Free round stake"}, ctx.fmt(offer.bet_value)),
        ` · ${offer.payout === "total" ? "winnings paid at the end" : "winnings paid each round"}`,
        ` · until ${expiry(offer.expires_at)}`),
      el("button", {type: "button", class: "primary", disabled: blocked,
        "aria-label": offers.length > 1 ? `Play a free round of ${offer.campaign_id}` : "Play a free round",
        onclick: () => ctx.playFree(offer)}, "Play free round"))));
  }

  function lock(value) {
    blocked = value;
    for (const button of list.querySelectorAll("button")) button.disabled = value;
  }

  return {show, lock, offers: () => offers};
}
