// What a regulated market asks the client to show (docs/jurisdictions.md): the game's RTP, a clock with the time
// played, the net position; the reality check the server calls for (409 REALITY_CHECK_DUE), answered with Continue or
// Quit; and a session the server has closed (410 SESSION_CLOSED). Every figure comes from the server's `market`.
const REASONS = {
  time_limit: "the session's time limit has been reached",
  loss_limit: "the session's loss limit has been reached",
  player_quit: "you chose to stop playing",
};

export function closedText(reason) {
  return "This game session is closed: " + (REASONS[reason] || reason || "no more rounds can be played") + ".";
}

export function minutes(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

export function mountMarket(ctx) {
  const $ = (id) => document.getElementById(id);
  const session = ctx.session;
  const rules = (session.market && session.market.rules) || {};
  let state = session.market;
  let seenAt = Date.now(); // when `state.elapsed` was read: the time played runs on from there between answers
  let closed = false;

  if (rules.show_rtp) {
    $("rtp").hidden = false;
    $("rtp-value").textContent = new Intl.NumberFormat(session.language || undefined, {maximumFractionDigits: 4})
      .format(session.rtp) + " %";
  }
  $("market").hidden = !(rules.show_rtp || rules.show_clock || rules.show_net_position);
  $("clock").hidden = !rules.show_clock;
  $("played").hidden = !rules.show_clock;
  $("net").hidden = !rules.show_net_position;

  function tick() {
    if (!state) return;
    if (rules.show_clock) {
      $("clock-value").textContent = new Date().toLocaleTimeString(session.language || undefined);
      const elapsed = state.elapsed + (closed ? 0 : (Date.now() - seenAt) / 1000);
      $("played-value").textContent = minutes(elapsed);
    }
    if (rules.show_net_position) $("net-value").textContent = ctx.fmt(state.net);
  }

  function update(next) {
    if (!next) return;
    state = Object.assign({}, state, next);
    seenAt = Date.now();
    tick();
    if (state.status === "closed") close(state.closed_reason);
    else if (state.reality_check_due) ask();
  }

  function ask() {
    if (closed || !$("reality-check").hidden) return;
    $("rc-played").textContent = minutes(state.elapsed);
    $("rc-rounds").textContent = String(state.rounds);
    $("rc-staked").textContent = ctx.fmt(state.staked);
    $("rc-won").textContent = ctx.fmt(state.won);
    $("rc-net").textContent = ctx.fmt(state.net);
    $("reality-check").hidden = false;
    ctx.block(true);
    ctx.post("realityCheck", {elapsedSeconds: Math.round(state.elapsed), rounds: state.rounds, staked: state.staked,
      won: state.won, net: state.net, currency: session.currency});
    $("rc-continue").focus();
  }

  async function answer(decision) {
    for (const button of $("reality-check").querySelectorAll("button")) button.disabled = true;
    try {
      const reply = await ctx.api("POST", "/reality-check", {decision});
      $("reality-check").hidden = true;
      ctx.block(false);
      update(reply.market);
      if (decision === "continue") ctx.say("Play on: the next reality check is one interval away");
    } catch (error) {
      if (error.code === "NO_REALITY_CHECK") { // answered elsewhere (another tab): nothing is held any more
        $("reality-check").hidden = true;
        ctx.block(false);
      }
      ctx.fail(error);
    } finally {
      for (const button of $("reality-check").querySelectorAll("button")) button.disabled = false;
    }
  }

  function close(reason) {
    $("reality-check").hidden = true;
    if (closed) return;
    closed = true;
    $("closed").textContent = closedText(reason);
    $("closed").hidden = false;
    ctx.say(""); // the banner says it; a reality-check prompt left below it would contradict it
    ctx.block(true);
    ctx.post("sessionClosed", {reason: reason || null});
  }

  // a refused round: the reality check or the closed session it names
  function refused(error) {
    if (error.code === "REALITY_CHECK_DUE" && error.body && error.body.market) {
      update(Object.assign({}, error.body.market, {reality_check_due: true}));
      return true;
    }
    if (error.code === "SESSION_CLOSED") {
      if (state) state = Object.assign({}, state, {status: "closed", closed_reason: error.body && error.body.reason});
      close(error.body && error.body.reason);
      return true;
    }
    return false;
  }

  $("rc-continue").addEventListener("click", () => answer("continue"));
  $("rc-quit").addEventListener("click", () => answer("quit"));
  if (rules.show_clock || rules.show_net_position) setInterval(tick, 1000);
  update(state);
  return {update, refused, checksOnServer: Boolean(rules.reality_check_interval), closed: () => closed};
}
