"""The ``casino_sim`` pytest plugin: a live simulator for an operator's own test suite, pointed at their wallet (or
at its embedded reference wallet), with fixtures that create players, launch games and switch fault rules on and
off per test. Installed with the package (entry point ``pytest11: casino_sim``); docs/testing.md shows it in use.

Nothing starts until a test asks for a ``casino_sim_*`` fixture, and this module imports only the standard library
and the SDK's light modules, so a suite that never uses it pays nothing for it. Options are all ``--casino-sim-*``
(ini keys ``casino_sim_*``).

Fixtures (scope):

- ``casino_sim_server`` (session): the running simulator (``SimulatorProcess``: ``url``, ``credentials``), or the
  one ``--casino-sim-url`` names; stopped with SIGTERM at the end of the session.
- ``casino_sim_client`` (session): a sync SDK ``Client`` for it.
- ``casino_sim_wallet_url``, ``casino_sim_wallet_secret``, ``casino_sim_dialect``, ``casino_sim_settings``
  (session): what the server is started with, from the options; override them in a ``conftest.py`` (for instance
  to start your wallet first and return its URL).
- ``casino_sim_new_player`` (session): a factory ``(currency="USD", balance=100_000) -> Player`` using the reference
  wallet's sandbox; with your own wallet, override it to create the player there.
- ``casino_sim_player`` (function): a new player. ``casino_sim_launch`` (function): a factory ``(player,
  engine=None) -> Launch`` (``pick_game`` chooses the game). ``casino_sim_session`` (function): ``casino_sim_player``
  launched on the default game (dice, in the native dialect).
- ``casino_sim_faults`` (function): ``add(rule)`` turns a fault rule on through the admin API; every rule it added
  is removed when the test ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from simulator_sdk.credentials import Credentials
from simulator_sdk.errors import SimulatorNotStarted

if TYPE_CHECKING:
    from simulator_sdk.client import Client
    from simulator_sdk.types import FaultRule, Game, Launch

DEFAULT_SEED = 20261120


@dataclass(frozen=True)
class Player:
    """A player the simulator may launch games for: the operator's player id and session token."""

    player_id: str
    token: str
    currency: str


@dataclass(frozen=True)
class RunningSimulator:
    """A simulator this session did not start (``--casino-sim-url``): where it is and how to call it."""

    url: str
    credentials: Credentials
    dialect: str = "native"
    wallet_url: str | None = None

    def client(self, **options: Any) -> Client:
        from simulator_sdk.client import Client

        return Client(self.url, self.credentials, **options)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("casino-sim", "casino-provider-simulator (simulator_sdk.pytest_plugin)")
    options = (
        ("wallet-url", "operator wallet the simulator calls (default: its embedded reference wallet)"),
        ("wallet-secret", "secret the simulator signs wallet calls with (native, md5_form, token_query)"),
        ("wallet-key-id", "key or provider id sent with wallet calls (default casino-sim)"),
        ("dialect", "wallet dialect of --casino-sim-wallet-url: native (default), rsa_json, md5_form, token_query"),
        ("seed", f"root seed of the simulator (default {DEFAULT_SEED})"),
        ("url", "use this running simulator instead of starting one (credentials: --casino-sim-data-dir)"),
        ("data-dir", "with --casino-sim-url: the data directory holding its credentials.json"),
    )
    for name, help_text in options:
        ini = "casino_sim_" + name.replace("-", "_")
        group.addoption(f"--casino-sim-{name}", dest=ini, default=None, help=help_text)
        parser.addini(ini, help_text, default=None)


def pytest_configure(config: pytest.Config) -> None:
    """Bad option values stop the run at once, with a usage message, before any test or server starts."""
    from simulator_sdk.server import DIALECTS

    dialect = _option(config, "casino_sim_dialect")
    if dialect is not None and dialect not in DIALECTS:
        raise pytest.UsageError(f"--casino-sim-dialect {dialect!r}: use one of {', '.join(DIALECTS)}")
    seed = _option(config, "casino_sim_seed")
    if seed is not None and not seed.lstrip("-").isdigit():
        raise pytest.UsageError(f"--casino-sim-seed {seed!r}: the seed is an integer")


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(name)
    if value is None:
        value = config.getini(name)
    return str(value) if value else None


@pytest.fixture(scope="session")
def casino_sim_wallet_url(pytestconfig: pytest.Config) -> str | None:
    return _option(pytestconfig, "casino_sim_wallet_url")


@pytest.fixture(scope="session")
def casino_sim_wallet_secret(pytestconfig: pytest.Config) -> str | None:
    return _option(pytestconfig, "casino_sim_wallet_secret")


@pytest.fixture(scope="session")
def casino_sim_dialect(pytestconfig: pytest.Config) -> str:
    return _option(pytestconfig, "casino_sim_dialect") or "native"


@pytest.fixture(scope="session")
def casino_sim_settings() -> dict[str, Any]:
    """Extra settings of the simulator (docs/operations.md), e.g. ``{"wallet_timeout": 1.0}``; none by default."""
    return {}


@pytest.fixture(scope="session")
def casino_sim_server(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    casino_sim_wallet_url: str | None,
    casino_sim_wallet_secret: str | None,
    casino_sim_dialect: str,
    casino_sim_settings: dict[str, Any],
) -> Iterator[Any]:
    url = _option(pytestconfig, "casino_sim_url")
    if url is not None:
        data_dir = Path(_option(pytestconfig, "casino_sim_data_dir") or "data")
        try:
            credentials = Credentials.from_data_dir(data_dir)
        except (OSError, ValueError) as exc:
            pytest.fail(f"--casino-sim-url {url}: no credentials under {data_dir} ({exc})", pytrace=False)
        yield RunningSimulator(url.rstrip("/"), credentials, casino_sim_dialect)
        return
    from simulator_sdk.server import SimulatorProcess

    seed = _option(pytestconfig, "casino_sim_seed")
    sim = SimulatorProcess(
        tmp_path_factory.mktemp("casino-sim"),
        wallet_url=casino_sim_wallet_url,
        dialect=casino_sim_dialect,
        wallet_secret=casino_sim_wallet_secret,
        wallet_key_id=_option(pytestconfig, "casino_sim_wallet_key_id"),
        seed=int(seed) if seed is not None else DEFAULT_SEED,
        settings=casino_sim_settings,
    )
    try:
        sim.start()
    except SimulatorNotStarted as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield sim
    finally:
        status = sim.stop()
        if status not in (0, None):
            pytest.fail(f"casino-sim exited with status {status}; its log:\n{sim.log_tail()}", pytrace=False)


@pytest.fixture(scope="session")
def casino_sim_client(casino_sim_server: Any) -> Iterator[Client]:
    client: Client = casino_sim_server.client()
    with client:
        yield client


@pytest.fixture(scope="session")
def casino_sim_new_player(casino_sim_client: Client, casino_sim_wallet_url: str | None) -> Callable[..., Player]:
    """Players in the embedded reference wallet. With your own wallet, override this fixture: return a factory
    that creates the player in your wallet and returns its id and a session token."""

    def new_player(currency: str = "USD", balance: int = 100_000) -> Player:
        if casino_sim_wallet_url is not None:
            pytest.fail(
                "casino_sim_new_player creates players in the reference wallet only; with --casino-sim-wallet-url "
                "override it in your conftest.py to create them in your wallet",
                pytrace=False,
            )
        made = casino_sim_client.create_player(currency, balance)
        return Player(made["player_id"], made["token"], made["currency"])

    return new_player


@pytest.fixture
def casino_sim_player(casino_sim_new_player: Callable[..., Player]) -> Player:
    return casino_sim_new_player()


COUNTRIES = ("MT", "DE", "CA", "BR", "JP", "SE", "NZ", "ZA")  # tried in order when a game restricts countries


def launch_country(game: Mapping[str, Any]) -> str | None:
    """None when the game may be launched anywhere (no country needed), else one where it may be."""
    allowed, blocked = game.get("allowed_countries"), set(game.get("blocked_countries") or ())
    if allowed is None and not blocked:
        return None
    candidates = list(allowed) if allowed is not None else list(COUNTRIES)
    return next((c for c in candidates if c not in blocked), None)


def pick_game(client: Client, dialect: str, currency: str, engine: str | None = None) -> tuple[Game, str | None]:
    """A game whose studio speaks ``dialect``, offered in ``currency``, and the country to launch it with (None:
    any). Native: the reference title of ``engine`` (dice by default), offered everywhere. Other dialects: the first
    game of ``engine`` (by default, of any single-step engine) of a studio speaking that dialect, those launchable
    everywhere first; never a live table."""
    if dialect == "native":
        return client.reference_game(engine or "dice"), None
    studios = [s["studio_id"] for s in client.studios() if s["dialect"] == dialect]
    fallback: tuple[Game, str | None] | None = None
    if studios:
        for game in client.games(studio=studios, currency=currency, engine=engine):
            details: Mapping[str, Any] = game
            if engine is None and (details.get("multi_step") or details.get("category") == "live"):
                continue  # a round in one request: neither a multi-step game nor a live table (bets over a socket)
            country = launch_country(details)
            if country is None and details.get("allowed_countries") is None and not details.get("blocked_countries"):
                return game, None
            if fallback is None and country is not None:
                fallback = (game, country)
    if fallback is not None:
        return fallback
    raise LookupError(f"no {engine or 'single-step'} game of a {dialect} studio is offered in {currency}")


@pytest.fixture
def casino_sim_launch(casino_sim_client: Client, casino_sim_dialect: str) -> Callable[..., Launch]:
    """``launch(player, engine=None, game_id=None, **options) -> Launch``: a game session for the player, on a game
    ``pick_game`` chooses unless ``game_id`` is given."""
    picked: dict[tuple[str | None, str], tuple[str, str | None]] = {}

    def launch(player: Player, engine: str | None = None, game_id: str | None = None, **options: Any) -> Launch:
        if game_id is None:
            key = (engine, player.currency)
            if key not in picked:
                game, country = pick_game(casino_sim_client, casino_sim_dialect, player.currency, engine)
                picked[key] = (game["game_id"], country)
            game_id, country = picked[key]
            if country is not None:
                options.setdefault("country", country)
        return casino_sim_client.launch(
            game_id=game_id, currency=player.currency, player_id=player.player_id, token=player.token, **options
        )

    return launch


@pytest.fixture
def casino_sim_session(casino_sim_launch: Callable[..., Launch], casino_sim_player: Player) -> Launch:
    return casino_sim_launch(casino_sim_player)


@dataclass
class FaultSwitch:
    """Fault rules switched on for one test (docs/faults.md); each is removed at the end of the test."""

    client: Client
    added: list[str] = field(default_factory=list)

    def add(self, rule: Mapping[str, Any]) -> FaultRule:
        stored = self.client.add_fault(rule)
        self.added.append(stored["id"])
        return stored

    def remove(self, rule_id: str) -> None:
        self.client.remove_fault(rule_id)
        self.added.remove(rule_id)

    def counters(self, rule_id: str) -> dict[str, int]:
        return next(r["counters"] for r in self.client.faults() if r["id"] == rule_id)

    def remove_all(self) -> None:
        from simulator_sdk.errors import NotFound

        while self.added:
            with contextlib.suppress(NotFound):  # removed by the test through the client
                self.client.remove_fault(self.added.pop())


@pytest.fixture
def casino_sim_faults(casino_sim_client: Client) -> Iterator[FaultSwitch]:
    switch = FaultSwitch(casino_sim_client)
    try:
        yield switch
    finally:
        switch.remove_all()
