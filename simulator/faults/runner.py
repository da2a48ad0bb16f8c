"""Run a scenario: a simulator on loopback (with the reference wallet inside it, or calling another wallet), its faults,
its traffic one request at a time, settlement driven explicitly, then the invariants.

Time is virtual: one ``ManualClock`` is shared by the simulator and the embedded wallet, fault delays move it instead of
waiting (``VirtualSleep``), and settling jumps to each next retry. A wallet whose p99 is seconds and a day of retries
take milliseconds, and in deterministic mode (ids and seeds from the scenario's seed) the same scenario gives the same
journal, timings included. Against another wallet the clock starts at the real time, so signatures stay inside that
wallet's window as long as the scenario's virtual time does (five minutes by default).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.client_middlewares import ClientMiddlewareType
from yarl import URL

from games.registry import get_engine
from simulator.app import create_app
from simulator.auth.client import ClientAuth, client_middleware
from simulator.auth.keys import load_auth_keys
from simulator.catalog.models import Game
from simulator.clock import ManualClock
from simulator.errors import RequestError
from simulator.faults.invariants import Check, Evidence, check_all
from simulator.faults.live_traffic import play_live
from simulator.faults.rules import FaultRule
from simulator.faults.scenario import (
    AdvanceStep,
    FaultsStep,
    FeedStep,
    FreeRoundsStep,
    LiveStep,
    PlayStep,
    RestartStep,
    Scenario,
    SettleStep,
)
from simulator.faults.timing import VirtualSleep
from simulator.http import strict_int
from simulator.ids import SeededIds
from simulator.settings import Settings
from simulator.state import CATALOG, FAULTS, STORE, WORKER
from simulator.store.provider import Round, Transaction

EPOCH = 1_700_000_000.0  # virtual start time with the embedded wallet (fixed, so journals repeat)
PUBLIC_URL = "http://casino-sim.test"  # launch URLs in the journal must not carry the loopback port
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass
class FeedRead:
    complete: bool
    retries: int
    missing_retry_after: int


@dataclass
class Report:
    scenario: Scenario
    checks: list[Check]
    journal: list[dict[str, Any]]
    responses: Counter[str]
    rounds: Counter[str]
    faults: Counter[str]
    virtual_seconds: float

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)

    def journal_without_timings(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k not in ("started", "elapsed")} for e in self.journal]


def _playable(game: Game, currency: str, country: str) -> bool:
    return game.enabled and currency in game.currencies and game.playable_in(country)


def _transport_outcome(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "disconnected"
    if isinstance(exc, aiohttp.ClientOSError):
        return "reset"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "truncated"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "bad_response"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return type(exc).__name__


@dataclass
class _Instance:
    app: web.Application
    runner: web.AppRunner
    url: str


@dataclass
class ScenarioRun:
    scenario: Scenario
    workdir: Path
    base: Settings = field(default_factory=Settings)
    wallet_url: str | None = None
    dialect: str = "native"
    progress: Callable[[int, int], None] | None = None
    """``progress(rounds played, rounds planned)`` after every round (``casino-sim scenario run --progress``)."""

    def __post_init__(self) -> None:
        self.clock = ManualClock(EPOCH if self.wallet_url is None else time.time())
        self.sleep = VirtualSleep(self.clock)
        self.responses: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.feeds: list[FeedRead] = []
        self.campaigns: list[str] = []
        self.journal: list[dict[str, Any]] = []
        self.tokens: dict[tuple[str, str], str] = {}
        self.players: dict[str, dict[str, Any]] = {}
        self.games: list[Game] = []
        self._incarnation = 0
        self._played = 0
        self._planned = sum(
            step.rounds * self.scenario.players.count for step in self.scenario.traffic if isinstance(step, PlayStep)
        )
        self._instance: _Instance | None = None
        self._http: aiohttp.ClientSession | None = None
        self.settings = self._settings()

    def _settings(self) -> Settings:
        updates = self.scenario.settings | {
            "data_dir": self.workdir,
            "database_url": None,
            "port": 0,
            "host": "127.0.0.1",
            "public_url": PUBLIC_URL,
            "seed": self.scenario.seed,
            "deterministic": True,
            "faults_file": None,
            "journal_size": 1_000_000,
            "embedded_wallet": self.wallet_url is None,
            "wallet_url": self.wallet_url,
        }
        return Settings.model_validate(self.base.model_dump() | updates)

    @property
    def wallet_base(self) -> str:
        assert self._instance is not None
        return (self.wallet_url or f"{self._instance.url}/wallet").rstrip("/")

    @property
    def instance(self) -> _Instance:
        assert self._instance is not None
        return self._instance

    @property
    def http(self) -> aiohttp.ClientSession:
        assert self._http is not None
        return self._http

    # the simulator's life

    async def _start(self, rules: list[FaultRule]) -> None:
        from simulator.commands.serve import bind

        sock = bind("127.0.0.1", 0)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = self.settings.model_copy(update={"wallet_url": self.wallet_url or f"{url}/wallet"})
        ids = SeededIds(self.scenario.seed, f"sim-{self._incarnation}")
        app = create_app(
            settings, clock=self.clock, ids=ids, settlement_worker=False, sleep=self.sleep, live_loops=False
        )
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        app[FAULTS].rules.replace_all(rules)
        self._instance = _Instance(app, runner, url)
        self._incarnation += 1

    def _harvest(self) -> None:
        """Keep this incarnation's journal and injection counts before it goes away."""
        faults = self.instance.app[FAULTS]
        offset = len(self.journal)
        for entry in faults.journal.query(limit=faults.journal.size):
            self.journal.append(entry | {"seq": offset + entry["seq"]})
        for compiled in faults.rules:
            self.faults[compiled.id] += compiled.state.injected

    async def _stop(self) -> None:
        self._harvest()
        await self.instance.runner.cleanup()
        self._instance = None

    def _auth(self) -> list[ClientMiddlewareType]:
        """Sign operator calls and send the admin token to this run's simulator (and to ``wallet_url`` only when
        an ``admin_token`` was configured for it: a generated one stays with the simulator it was made for)."""
        if not self.settings.auth:
            return []
        keys = load_auth_keys(self.settings)
        shared = self.wallet_url if self.settings.admin_token is not None else None

        def ours(url: URL) -> bool:
            target = str(url)
            return (self._instance is not None and target.startswith(self._instance.url + "/")) or (
                shared is not None and target.startswith(shared)
            )

        nonces = SeededIds(self.scenario.seed, "operator-nonce").token  # the same seed, the same journal
        auth = ClientAuth(keys.first_key(), keys.admin_token, self.clock, nonces)
        return [client_middleware(auth, trust=ours)]

    # traffic

    async def _request(self, method: str, url: str, body: Any = None) -> tuple[str, Any, Mapping[str, str]]:
        """(outcome, JSON body, headers): the status as text, or what went wrong on the wire."""
        try:
            async with self.http.request(method, url, json=body, timeout=REQUEST_TIMEOUT) as response:
                raw = await response.read()
                try:
                    data = json.loads(raw) if raw else None
                except ValueError:
                    return "malformed", None, response.headers
                return str(response.status), data, response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            return _transport_outcome(exc), None, {}

    async def _create_players(self) -> None:
        spec = self.scenario.players
        prefix = spec.prefix if self.wallet_url is None else f"{spec.prefix}-{int(time.time() * 1000) % 10**8}"
        for n in range(1, spec.count + 1):
            body = {"player_id": f"{prefix}-{n}", "currency": spec.currency, "balance": spec.balance}
            outcome, data, _ = await self._request("POST", f"{self.wallet_base}/sandbox/players", body)
            if outcome != "201" or not isinstance(data, dict):
                raise RequestError(f"cannot create players at {self.wallet_base}/sandbox/players: {outcome} {data}")
            self.players[data["player_id"]] = data

    def _pick_games(self) -> list[Game]:
        """A game id as given; for an engine id, its reference title when the dialect is native, else the first
        enabled game of a studio speaking the dialect that the players may launch (currency and country)."""
        catalog = self.instance.app[CATALOG]
        currency, country = self.scenario.players.currency, self.scenario.players.country
        chosen = []
        for name in self.scenario.games:
            if name in catalog.games:
                game = catalog.games[name]
            else:
                candidates = [
                    g
                    for g in catalog.game_list
                    if g.engine_id == name
                    and catalog.studio(g.studio_id).dialect == self.dialect
                    and (g.reference if self.dialect == "native" else _playable(g, currency, country))
                ]
                if not candidates:
                    raise RequestError(f"no game or engine {name!r} with dialect {self.dialect} in the catalogue")
                game = candidates[0]
            if get_engine(game.engine_id).multi_step:
                raise RequestError(f"{name}: scenario traffic plays single-step games only")
            chosen.append(game)
        return chosen

    async def _session(self, player_id: str, game: Game) -> str:
        key = (player_id, game.game_id)
        if key not in self.tokens:
            player = self.players[player_id]
            body = {
                "player_id": player_id,
                "game_id": game.game_id,
                "currency": player["currency"],
                "token": player["token"],
                "country": self.scenario.players.country,
            }
            outcome, data, _ = await self._request("POST", f"{self.instance.url}/v1/sessions", body)
            if outcome != "201" or not isinstance(data, dict):
                raise RequestError(f"cannot launch {game.game_id} for {player_id}: {outcome} {data}")
            self.tokens[key] = data["session_token"]
        return self.tokens[key]

    async def _play(self, step: PlayStep) -> None:
        players = list(self.players)
        for i in range(step.rounds):
            for p, player_id in enumerate(players):
                game = self.games[(i + p) % len(self.games)]
                token = await self._session(player_id, game)
                url = f"{self.instance.url}/play/{token}/rounds"
                outcome, _, _ = await self._request("POST", url, {"amount": step.amount, "params": step.params})
                self.responses[outcome] += 1
                self._played += 1
                if self.progress is not None:
                    self.progress(self._played, self._planned)
                if step.interval:
                    await self.sleep(step.interval)

    async def _free_rounds(self, step: FreeRoundsStep) -> None:
        currency = self.scenario.players.currency
        ladders = [set(g.bet_steps[currency]) for g in self.games]
        shared = sorted(set.intersection(*ladders))
        if not shared:
            raise RequestError("the scenario's games share no bet step for a free-round campaign")
        campaign_id = f"{self.scenario.name}-{len(self.campaigns) + 1}"
        body = {
            "campaign_id": campaign_id,
            "games": [g.game_id for g in self.games],
            "rounds": step.rounds,
            "bet_values": {currency: shared[0]},
            "payout": step.payout,
            "expires_at": self.clock.now() + 30 * 86400,
            "players": [{"player_id": pid, "currency": currency} for pid in self.players],
        }
        outcome, data, _ = await self._request("POST", f"{self.instance.url}/v1/campaigns", body)
        if outcome != "201":
            raise RequestError(f"cannot create the campaign: {outcome} {data}")
        self.campaigns.append(campaign_id)
        for _ in range(step.passes):
            played = 0
            for p, player_id in enumerate(self.players):
                for i in range(step.rounds + 1):
                    token = await self._session(player_id, self.games[(i + p) % len(self.games)])
                    url = f"{self.instance.url}/play/{token}/free-rounds"
                    outcome, data, _ = await self._request("POST", url, {"campaign_id": campaign_id})
                    self.responses[outcome] += 1
                    if outcome == "409":  # none left to play now (played out, or in flight)
                        break
                    played += 1
            if not played:
                return
            await self._settle(600.0)

    async def _campaigns(self) -> list[dict[str, Any]]:
        found = []
        for campaign_id in self.campaigns:
            outcome, data, _ = await self._request("GET", f"{self.instance.url}/v1/campaigns/{campaign_id}")
            if outcome == "200" and isinstance(data, dict):
                found.append(data)
        return found

    async def _live(self, step: LiveStep) -> None:
        live = [g for g in self.games if g.category == "live"]
        if not live:
            raise RequestError("a live traffic step needs a live game (e.g. live-baccarat) among the scenario's games")
        tokens = [await self._session(player_id, live[0]) for player_id in self.players]
        answers = await play_live(self.instance.app, self.instance.url, tokens, live[0].game_id, step, self.clock)
        self.responses.update(answers)

    async def _feed(self, step: FeedStep) -> None:
        for _ in range(step.reads):
            cursor: str | None = None
            seen: list[str] = []
            retries = missing = 0
            total = -1
            while True:
                query = f"?limit={step.page}" + (f"&cursor={cursor}" if cursor else "")
                outcome, data, headers = await self._request("GET", f"{self.instance.url}/v1/games{query}")
                if outcome == "200" and isinstance(data, dict):
                    seen += [g["game_id"] for g in data["games"]]
                    total, cursor = data["total"], data["next_cursor"]
                    if cursor is None:
                        break
                    continue
                if retries >= step.max_retries:
                    break
                retries += 1
                wait = 1.0
                if outcome in ("429", "503"):
                    header = headers.get("Retry-After")
                    seconds = None if header is None else strict_int(str(header))
                    if seconds is None:
                        missing += 1
                    else:
                        wait = float(seconds)
                await self.sleep(wait)
            self.feeds.append(FeedRead(len(seen) == total and len(set(seen)) == total, retries, missing))

    async def _settle(self, seconds: float) -> None:
        app = self.instance.app
        await app[FAULTS].hook.flush()
        store, worker = app[STORE], app[WORKER]
        lease = 2 * self.settings.wallet_timeout + 5
        deadline = self.clock.now() + seconds
        while True:
            await worker.run_once()
            async with store.db.transaction() as tx:
                row = await tx.fetchone(
                    "SELECT MIN(CASE WHEN kind = 'bet' THEN created_at + ? ELSE next_attempt_at END) AS due,"
                    " COUNT(*) AS n FROM transactions WHERE status = 'pending'",
                    lease + 0.001,
                )
            if row is None or not row["n"] or self.clock.now() >= deadline:
                return
            self.clock.advance(max(0.001, min(float(row["due"]) - self.clock.now(), deadline - self.clock.now())))

    # the whole run

    async def run(self) -> Report:
        scenario = self.scenario
        started = self.clock.now()
        async with aiohttp.ClientSession(middlewares=self._auth()) as http:
            self._http = http
            await self._start(list(scenario.faults))
            try:
                self.games = self._pick_games()
                await self._create_players()
                for step in scenario.traffic:
                    if isinstance(step, PlayStep):
                        await self._play(step)
                    elif isinstance(step, FreeRoundsStep):
                        await self._free_rounds(step)
                    elif isinstance(step, LiveStep):
                        await self._live(step)
                    elif isinstance(step, SettleStep):
                        await self._settle(step.seconds)
                    elif isinstance(step, RestartStep):
                        await self._stop()
                        await self._start(list(step.faults or []))
                    elif isinstance(step, FaultsStep):
                        self._harvest_counts_only()
                        self.instance.app[FAULTS].rules.replace_all(step.rules)
                    elif isinstance(step, AdvanceStep):
                        self.clock.advance(step.seconds)
                    elif isinstance(step, FeedStep):
                        await self._feed(step)
                await self._settle(scenario.expect.settled_within or 600.0)
                evidence = await self._evidence()
            finally:
                if self._instance is not None:
                    await self._stop()
        checks = check_all(scenario, evidence)
        rounds = Counter(r.status for r in evidence.rounds)
        return Report(scenario, checks, self.journal, self.responses, rounds, self.faults, self.clock.now() - started)

    def _harvest_counts_only(self) -> None:
        for compiled in self.instance.app[FAULTS].rules:
            self.faults[compiled.id] += compiled.state.injected

    def _live_faults(self) -> Counter[str]:
        live = Counter(self.faults)
        for compiled in self.instance.app[FAULTS].rules:
            live[compiled.id] += compiled.state.injected
        return live

    async def _evidence(self) -> Evidence:
        store = self.instance.app[STORE]
        transactions: list[Transaction] = []
        while page := await store.outbox.transactions(after=transactions[-1].seq if transactions else 0, limit=1000):
            transactions += page
        # the provider's log holds the acceptances a reorder rule made up; the scenario judges what the wallet did
        truth = self.instance.app[FAULTS].hook.fabricated
        transactions = [
            dataclasses.replace(t, status=truth[t.transaction_id]) if t.transaction_id in truth else t
            for t in transactions
        ]
        rounds: list[Round] = await store.rounds.page()
        ledger = await self._ledger()
        balances = {}
        for player_id in self.players:
            outcome, data, _ = await self._request("GET", f"{self.wallet_base}/sandbox/players/{player_id}")
            if outcome == "200" and isinstance(data, dict):
                balances[player_id] = int(data["balance"])
        starts = {pid: int(p["balance"]) for pid, p in self.players.items()}
        latencies = [
            e["elapsed"] for e in self._current_journal() if e["side"] == "outbound" and e["elapsed"] is not None
        ]
        return Evidence(
            transactions,
            rounds,
            ledger,
            starts,
            balances,
            self.responses,
            self._live_faults(),
            latencies,
            self.feeds,
            await self._campaigns(),
        )

    def _current_journal(self) -> list[dict[str, Any]]:
        faults = self.instance.app[FAULTS]
        return self.journal + faults.journal.query(limit=faults.journal.size)

    async def _ledger(self) -> list[dict[str, Any]] | None:
        entries: list[dict[str, Any]] = []
        after = 0
        while True:
            outcome, data, _ = await self._request("GET", f"{self.wallet_base}/ledger?after={after}&limit=10000")
            if outcome != "200" or not isinstance(data, dict):
                return None
            entries += data["entries"]
            if not data["entries"]:
                return entries
            after = data["next_after"]


async def run_scenario(
    scenario: Scenario,
    workdir: Path,
    *,
    base: Settings | None = None,
    wallet_url: str | None = None,
    dialect: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    return await ScenarioRun(scenario, workdir, base or Settings(), wallet_url, dialect or "native", progress).run()
