"""Run the checks against one wallet: set up the dialect, the players and the HTTP session, make sure the
wallet answers at all, then run the checks concurrently (each with its own players) and collect results.

    options = Options("md5_form", "https://wallet.example/pp", Keys("casino-7", secret=b"..."),
                      players=(parse_player("p-1:tok-1:EUR"),))
    result = await run(options)
    result.failed  # True when any check failed

``clock`` is what requests are signed with; ``advance_clock`` (tests and in-process wallets only) lets the
suite move the wallet's clock to expire a session instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import datetime
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import aiohttp

from simulator.clock import Clock, SystemClock
from simulator.conformance.client import Client
from simulator.conformance.context import STUDIO_ID, Context, Skipped, Stop, Suite
from simulator.conformance.errors import SetupError, WalletUnreachable
from simulator.conformance.model import CheckResult, Exchange, Expectation, Status, SuiteInfo, SuiteResult
from simulator.conformance.players import Player, Players, Sandbox, Unavailable, Want
from simulator.conformance.redact import Redactor
from simulator.conformance.registry import Check, select
from simulator.conformance.wire import Keys, make_wire
from simulator.dialects.call import WalletCall


@dataclass(frozen=True, slots=True)
class Options:
    """One run. ``players`` empty means: create them in the reference wallet's sandbox at ``sandbox_url``
    (default: the wallet URL without its ``/{dialect}`` suffix) with its ``admin_token``."""

    dialect: str
    wallet_url: str
    keys: Keys
    players: tuple[Player, ...] = ()
    sandbox_url: str | None = None
    currency: str = "USD"
    game_id: str = "casino-sim-conformance"
    unknown_game: str | None = None
    unknown_rollback: Literal["accept", "reject"] = "accept"
    cross_player_ids: Literal["refuse", "independent"] = "refuse"
    only: tuple[str, ...] = ()
    timeout: float = 10.0
    concurrency: int = 8
    admin_token: str | None = field(default=None, repr=False)

    def sandbox_base(self) -> str:
        if self.sandbox_url:
            return self.sandbox_url.rstrip("/")
        url = self.wallet_url.rstrip("/")
        return url.removesuffix(f"/{self.dialect}") if self.dialect != "native" else url


def _noop(exchange: Exchange) -> None:
    return None


async def run(
    options: Options,
    *,
    clock: Clock | None = None,
    advance_clock: Callable[[float], None] | None = None,
    http: aiohttp.ClientSession | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SuiteResult:
    """Every selected check against the wallet; ``progress(done, total)`` after each check."""
    checks = select(options.only)
    wire = make_wire(options.dialect, options.wallet_url, options.keys, clock or SystemClock())
    for currency in {options.currency, *(p.currency for p in options.players)}:
        if not wire.supports(currency):
            raise SetupError(f"the {options.dialect} dialect cannot carry {currency} amounts exactly")
    secrets = wire.secrets() + [t for p in options.players for t in (p.token, p.expired_token) if t]
    if options.admin_token:
        secrets.append(options.admin_token)
    started = datetime.datetime.now(datetime.UTC)
    begun = time.perf_counter()
    own = http is None
    session = http or aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    try:
        client = Client(session, wire, Redactor(secrets), timeout=options.timeout)
        players = await _players(options, client)
        suite = Suite(options, wire, client, players, uuid.uuid4().hex[:10], advance_clock)
        await _preflight(suite)
        gate = asyncio.Semaphore(max(1, options.concurrency))
        finished = 0

        async def bounded(check: Check) -> CheckResult:
            nonlocal finished
            async with gate:
                result = await run_check(check, suite)
            finished += 1
            if progress is not None:
                progress(finished, len(checks))
            return result

        results = await asyncio.gather(*(bounded(c) for c in checks))
    finally:
        if own:
            await session.close()
    info = SuiteInfo(
        dialect=options.dialect,
        wallet_url=options.wallet_url,
        players=players.describe(),
        started_at=started.isoformat(timespec="seconds"),
        duration_s=round(time.perf_counter() - begun, 3),
        options={
            "unknown rollback": options.unknown_rollback,
            "same transaction id on two players": options.cross_player_ids,
            "game id": options.game_id,
            "unknown game id": options.unknown_game or ("from the sandbox" if not options.players else "not given"),
        },
    )
    return SuiteResult(info, tuple(results))


async def _players(options: Options, client: Client) -> Players:
    sandbox: Sandbox | None = None
    if not options.players:
        sandbox = Sandbox(client, options.sandbox_base(), options.admin_token)
        if not await sandbox.present(_noop):
            if sandbox.refused:
                raise SetupError(
                    f"the reference-wallet sandbox at {sandbox.url}/sandbox refused the admin token (or got none):"
                    " pass --data-dir of the server, or --admin-token-file"
                )
            raise SetupError(
                f"no players given and no reference-wallet sandbox at {sandbox.url}/sandbox: name the wallet's"
                " sandbox players with --player ID:TOKEN:CURRENCY or --players-file"
            )
    run_id = uuid.uuid4().hex[:6]
    counter = iter(range(1, 1_000_000))
    return Players(options.players, sandbox, options.currency, lambda kind: f"{run_id}-{kind}-{next(counter)}")


async def _preflight(suite: Suite) -> None:
    """One balance enquiry before anything else: no answer at all, a reply the dialect cannot read (another
    dialect, the wrong URL), a 5xx or "try again" (an HTML error page from a proxy), or a refused signature ends
    the run here with one clear message instead of forty failures."""
    records: list[Exchange] = []
    try:
        player = (await suite.players.take(Want(), records.append))[0]
    except Unavailable as exc:
        raise SetupError(f"no player to start with: {exc}") from None
    try:
        call = WalletCall(
            "balance",
            player.player_id,
            player.token,
            player.currency,
            game_id=suite.options.game_id,
            studio_id=STUDIO_ID,
        )
        answer = await suite.client.perform(call, suite.wire.build(call), "preflight", records.append)
    finally:
        await suite.players.release([player])
    if answer.kind in ("unknown", "invalid") and answer.status is None:
        raise WalletUnreachable(f"the wallet at {suite.options.wallet_url} does not answer: {answer.detail}")
    if answer.kind in ("unknown", "invalid"):  # a reply came, but nothing a provider can use
        assert answer.request is not None
        url = suite.client.redactor.text(answer.request.url)
        what = (
            f"does not answer in the {suite.options.dialect} dialect (another dialect, or the wrong URL?)"
            if answer.kind == "invalid"
            else "gives no usable answer"
        )
        raise WalletUnreachable(
            f"the wallet at {url} {what}: a balance enquiry got HTTP {answer.status} ({answer.detail}); the reply"
            f" begins {_first_bytes(suite, answer.body)}"
        )
    if answer.kind == "refused" and answer.code == "INVALID_SIGNATURE":
        raise SetupError(
            f"the wallet refuses the suite's {suite.options.dialect} credentials ({answer.detail}): check the key id"
            " and secret or private key"
        )
    if answer.kind == "refused" and answer.code == "INVALID_SESSION":
        raise SetupError(f"the wallet does not know player {player.player_id} with that token ({answer.detail})")


def _first_bytes(suite: Suite, body: bytes, size: int = 120) -> str:
    """The start of a reply, redacted, as a quoted string (or "(empty)")."""
    if not body:
        return "(empty)"
    text = suite.client.redactor.text(body[:size].decode("utf-8", errors="replace"))
    return repr(text + ("…" if len(body) > size else ""))


async def run_check(check: Check, suite: Suite) -> CheckResult:
    def result(status: Status, reason: str, ctx: Context | None = None) -> CheckResult:
        return CheckResult(
            check.id,
            check.title,
            check.group,
            check.why,
            status,
            reason,
            tuple(ctx.expectations) if ctx else (),
            tuple(ctx.exchanges) if ctx else (),
            round((time.perf_counter() - begun) * 1000, 1),
        )

    begun = time.perf_counter()
    missing = [suite.wire.MISSING[c] for c in check.requires if c in suite.wire.MISSING]
    if missing:
        return result(Status.SKIP, "; ".join(missing))
    ctx = Context(check, suite)
    skipped: str | None = None
    try:
        await check.run(ctx)
    except (Skipped, Unavailable) as exc:
        skipped = exc.reason if isinstance(exc, Skipped) else str(exc)
    except Stop:
        pass
    except Exception as exc:  # a check that crashes is a failed check, reported like one
        ctx.expectations.append(
            Expectation("running the check", "the check runs to its end", f"{type(exc).__name__}: {exc}", False)
        )
    finally:
        await ctx.close()
    failed = [e for e in ctx.expectations if not e.ok]
    if failed:
        first = failed[0]
        return result(Status.FAIL, f"{first.step}: expected {first.expected}; saw {first.saw}", ctx)
    if skipped is not None:
        return result(Status.SKIP, skipped, ctx)
    return result(Status.PASS, "", ctx)
