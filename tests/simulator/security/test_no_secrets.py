"""Secrets never leave: a server is driven through its happy paths and its refusals (every dialect, bad signatures,
wrong tokens, replays, a wallet that refuses), and everything it says (every response body and header, every
log record at DEBUG, tracebacks included, the fault journal, a QA scenario's report, the conformance suite's reports
in every format) is searched for every secret it holds: the wallet secret and the dialects' secrets, the operator
secrets, the admin token and the lines of the RSA private key."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from simulator.commands.scenario import print_report
from simulator.conformance.model import Status
from simulator.conformance.reports import FORMATS, render, render_text
from simulator.conformance.runner import Options, run
from simulator.conformance.wire import Keys
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.faults.runner import run_scenario
from simulator.faults.scenario import load_scenario
from simulator.settings import Settings
from simulator.state import CREDENTIALS, ENDPOINTS
from tests.harness import Reply, Sim, running_sim, wallet_call

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Witness:
    """Everything the server said, as text."""

    said: list[str] = field(default_factory=list)

    async def request(self, sim: Sim, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        if not kwargs.pop("auth", True):
            kwargs["middlewares"] = ()
        async with sim.http.request(method, sim.url + path, json=body, **kwargs) as response:
            text = await response.text()
            self.said.append(f"{response.status} {dict(response.headers)} {text}")
            try:
                return Reply(response.status, json.loads(text) if text else None)
            except ValueError:
                return Reply(response.status, text)


def secrets_of(sim: Sim) -> dict[str, str]:
    """Every secret the running server holds, by name."""
    found = {"wallet secret": sim.app[CREDENTIALS].wallet_secret, "admin token": sim.keys.admin_token}
    for key in sim.keys.operator_keys.values():
        found[f"operator secret {key.key_id}"] = key.secret
    for name, endpoint in sim.app[ENDPOINTS].items():
        found[f"{name} dialect secret"] = endpoint.secret.decode()
    private = sim.settings.data_dir / rsa_keys.PRIVATE_FILE
    if private.exists():
        body = [line for line in private.read_text().splitlines() if line and not line.startswith("-----")]
        for number, line in enumerate(body):
            if len(line) >= 32:
                found[f"RSA private key line {number}"] = line
    return found


def leaks(said: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, secret in secrets.items() if secret and secret in said]


@pytest.fixture
async def sim(settings: Settings) -> AsyncIterator[Sim]:
    async with running_sim(settings.model_copy(update={"rate_limit": 0.001, "rate_burst": 60})) as running:
        yield running


async def drive(sim: Sim, witness: Witness) -> None:
    say = witness.request
    player = (await say(sim, "POST", "/wallet/sandbox/players", {"currency": "USD", "balance": 100_000})).body
    studios = (await say(sim, "GET", "/v1/studios")).body["studios"]
    dialects = {s["dialect"]: s["studio_id"] for s in studios}
    games: list[dict[str, Any]] = [(await say(sim, "GET", f"/v1/games/{await sim.game_for('dice')}")).body]
    for studio in sorted(dialects.values()):
        listing = (await say(sim, "GET", f"/v1/games?studio={studio}&currency=USD&limit=50")).body["games"]
        games += [g for g in listing if g["enabled"]][:1]
    assert len(games) == 1 + len(dialects) == 5
    for game in games:
        body = {
            "player_id": player["player_id"],
            "game_id": game["game_id"],
            "currency": "USD",
            "token": player["token"],
        }
        allowed, blocked = game["allowed_countries"], set(game["blocked_countries"])
        if allowed or blocked:
            body["country"] = allowed[0] if allowed else next(c for c in ("MT", "SE", "CA", "NZ") if c not in blocked)
        reply = await say(sim, "POST", "/v1/sessions", body)
        assert reply.status == 201, reply.body
        token = reply.body["session_token"]
        stake = game["min_bet"]["USD"]
        await say(sim, "POST", f"/play/{token}/rounds", {"amount": stake, "params": {}}, auth=False)
        await say(sim, "POST", f"/play/{token}/fairness/rotate", {}, auth=False)
    # refusals of every kind
    await say(sim, "GET", "/v1/studios", auth=False)
    await say(sim, "GET", "/wallet/ledger", headers={"Authorization": "Bearer wrong"}, auth=False)
    bad = {"X-Operator-Key": "dev-key-1", "X-Operator-Timestamp": "1", "X-Operator-Nonce": "n" * 20}
    await say(sim, "GET", "/v1/studios", headers=bad | {"X-Operator-Signature": "sha256=00"}, auth=False)
    forged = {"player_id": player["player_id"], "game_id": games[0]["game_id"], "currency": "USD", "token": "forged"}
    await say(sim, "POST", "/v1/sessions", forged)
    refusal = await wallet_call(sim, "bet", {"request_id": "r", "player_id": "x"}, key_id="nobody")
    witness.said.append(json.dumps(refusal.body))
    for _ in range(100):  # over the rate limit
        if (await say(sim, "GET", "/v1/studios")).status == 429:
            break
    # what an operator and an admin read back
    for path in ("/v1/transactions", "/v1/rounds?status=closed", "/admin/settlement", "/openapi.json"):
        await say(sim, "GET", path)
    await say(sim, "GET", "/wallet/ledger?format=csv")


async def test_no_secret_in_any_response_or_log(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    witness = Witness()
    with caplog.at_level(logging.DEBUG):
        await drive(sim, witness)
    secrets = secrets_of(sim)
    assert len(secrets) >= 8  # wallet, admin, two operator keys, four dialects, RSA key lines
    assert any(s.startswith("RSA private key") for s in secrets)
    statuses = " ".join(said.split(" ", 1)[0] for said in witness.said)
    assert "401" in statuses and "429" in statuses and "201" in statuses  # the refusals really happened
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("refused" in line for line in logged)
    assert leaks("\n".join(witness.said), secrets) == []
    assert leaks("\n".join(logged), secrets) == []


async def test_no_secret_in_the_journal_or_a_scenario_report(sim: Sim, tmp_path: Path) -> None:
    rule = {"match": {"side": "outbound", "operation": "bet"}, "action": {"type": "bad_signature"}}
    added = await sim.request("POST", "/admin/faults", rule | {"schedule": {"every": 2}})
    assert added.status == 201, added.body
    player = await sim.create_player(10_000)
    session = await sim.launch(player, await sim.game_for("dice"))
    for _ in range(4):
        await sim.play(session["session_token"], 100, {"target": "50.50", "direction": "over"})
    # a confused client sending the admin token where it is not needed: journaled, and redacted
    confused = {"Authorization": f"Bearer {sim.keys.admin_token}"}
    await sim.request("GET", f"/play/{session['session_token']}/session", headers=confused, auth=False)
    journal = await sim.request("GET", "/admin/journal?limit=1000")
    assert journal.status == 200
    text = json.dumps(journal.body)
    assert '"X-Operator-Signature": "[redacted]"' in text  # signed requests were journaled, signature hidden
    entries = journal.body["entries"]
    assert any(e["side"] == "outbound" and e["faults"] for e in entries)  # a forged bet was journaled
    assert any(e["request"]["headers"].get("Authorization") == "[redacted]" for e in entries)
    assert leaks(text, secrets_of(sim)) == []

    workdir = tmp_path / "scenario"
    report = await run_scenario(load_scenario(ROOT / "scenarios" / "bad-signatures.yaml"), workdir)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        print_report(report)
    creds = json.loads((workdir / "credentials.json").read_text())
    scenario_secrets = {"wallet secret": creds["wallet_secret"], "admin token": creds["admin_token"]}
    scenario_secrets |= {k["key_id"]: k["secret"] for k in creds["operator_keys"]}
    assert report.ok, printed.getvalue()
    assert leaks(printed.getvalue() + json.dumps(report.journal), scenario_secrets) == []


async def test_no_secret_in_a_conformance_report(sim: Sim) -> None:
    """The suite against the embedded reference wallet, players made in its admin-guarded sandbox."""
    creds = sim.app[CREDENTIALS]
    options = Options(
        "native",
        f"{sim.url}/wallet",
        Keys(creds.wallet_key_id, secret=creds.wallet_secret.encode()),
        only=("auth.*", "bet.exact-debit", "bet.blocked-player", "format.*"),
        admin_token=sim.keys.admin_token,
    )
    assert sim.keys.admin_token not in repr(options)
    result = await run(options)
    assert result.results and all(r.status is Status.PASS for r in result.results), [
        (r.id, r.status, r.reason) for r in result.results
    ]
    reports = [render(result, name) for name in sorted(FORMATS)] + [render_text(result)]
    assert leaks("\n".join(reports), secrets_of(sim)) == []
