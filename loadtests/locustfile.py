"""Players at peak traffic, for Locust.

Each simulated user is one player of one operator: the operator creates the player in the reference wallet's sandbox
and launches a game for them through ``POST /v1/sessions``; the player then plays at the launch URL with think time
between rounds, changes games, plays multi-step games to the end (mines: open, reveal, cash out; blackjack: act until
the hand is finished), and now and then walks away from an open round and comes back to it later.

    locust --config loadtests/locust.conf --host http://127.0.0.1:8080 --shape spike --users 50
    python loadtests/locustfile.py --host http://127.0.0.1:8080      # one user, every request printed, 20 tasks

Options (each also an environment variable): ``--shape steady|step|spike|soak`` (``LOCUST_SHAPE``) picks the load
shape, with ``--users`` as the base load and ``--shape-time-scale`` to compress it; ``--wallet-url`` (default
``HOST/wallet``); ``--launch-hosts`` to spread launches over several simulator instances; ``--think-time MIN,MAX``;
``--max-tasks``; the SLO gates ``--slo-fail-ratio``, ``--slo-p95-ms``, ``--slo-p99-ms`` (exit status 3 when broken).

The operator's calls are signed and the sandbox takes the admin token (docs/security.md): ``--credentials`` names
the simulator's ``credentials.json`` (default ``data/credentials.json`` when it exists), and ``LOCUST_OPERATOR_KEY_ID``,
``LOCUST_OPERATOR_SECRET`` and ``LOCUST_ADMIN_TOKEN`` override what it holds (as variables: flags are visible to
other users of the machine). The player's calls need nothing but the session token in the launch URL.

This file needs only Locust and the standard library, so it runs in the stock ``locustio/locust`` image. Players at
a live table are in ``live_locustfile.py``, which shares this file's plumbing.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import load_shapes
import slo
from locust import FastHttpUser, LoadTestShape, events, run_single_user, task
from locust.exception import StopUser

slo.install()

JSONObject = dict[str, Any]
MONEY_FIELDS = ("amount", "win", "balance", "stake")
# where the players live; each game's country limits apply at launch
COUNTRIES = ("GB", "DE", "SE", "FI", "NO", "CA", "BR", "IN", "JP", "NZ")
# bets players like, per engine family; an engine not listed gets {} (its reference bet)
PARAMS: dict[str, tuple[JSONObject, ...]] = {
    "dice": ({"target": "50.50", "direction": "over"}, {"target": "25.00", "direction": "under"}),
    "limbo": ({"target": "2.00"}, {"target": "10.00"}),
    "plinko": ({"rows": 8, "risk": "low"}, {"rows": 16, "risk": "high"}),
    "wheel": ({"segments": 10, "risk": "low"}, {"segments": 50, "risk": "high"}),
    "keno": ({"numbers": [1, 7, 13, 22, 38]}, {"numbers": [5, 10]}),
    "baccarat": ({"bets": [{"type": "banker"}]}, {"bets": [{"type": "player"}]}),
    "roulette": ({"bets": [{"type": "red"}]}, {"bets": [{"type": "straight", "numbers": [17]}]}),
    "crash": ({"auto_cashout": "1.50"}, {}),
}
# what the operator's catalogue looks like to each locust process, per simulator and country; read once per key
_catalogues: dict[tuple[str, str], list[JSONObject]] = {}


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    parser.add_argument(
        "--shape",
        choices=sorted(load_shapes.SHAPES),
        default="steady",
        env_var="LOCUST_SHAPE",
        help="load shape; --users is its base load",
    )
    parser.add_argument(
        "--shape-time-scale",
        type=float,
        default=1.0,
        env_var="LOCUST_SHAPE_TIME_SCALE",
        help="multiply the shape's durations (0.1 runs a ten-minute shape in one minute)",
    )
    parser.add_argument(
        "--wallet-url",
        default="",
        env_var="LOCUST_WALLET_URL",
        help="reference wallet for sandbox players (default: HOST/wallet)",
    )
    parser.add_argument(
        "--launch-hosts",
        default="",
        env_var="LOCUST_LAUNCH_HOSTS",
        help="comma-separated simulator URLs the operator launches games on, in turn (default: HOST)",
    )
    parser.add_argument(
        "--think-time", default="1,5", env_var="LOCUST_THINK_TIME", help="seconds between a player's actions: MIN,MAX"
    )
    parser.add_argument("--currency", default="USD", env_var="LOCUST_CURRENCY", help="the players' currency")
    parser.add_argument(
        "--balance", type=int, default=10_000_000, env_var="LOCUST_BALANCE", help="starting balance, minor units"
    )
    parser.add_argument(
        "--live-table", default="", env_var="LOCUST_LIVE_TABLE", help="LivePlayer's table (default: first live game)"
    )
    parser.add_argument("--stake", type=int, default=100, env_var="LOCUST_STAKE", help="usual stake, minor units")
    parser.add_argument(
        "--max-tasks", type=int, default=0, env_var="LOCUST_MAX_TASKS", help="stop each user after N tasks (0: never)"
    )
    parser.add_argument(
        "--credentials",
        default="",
        env_var="LOCUST_CREDENTIALS",
        help="the simulator's credentials.json: operator key and admin token (default: data/credentials.json)",
    )
    # better given as variables than as flags, which other users of the machine can read
    parser.add_argument("--operator-key-id", default="", env_var="LOCUST_OPERATOR_KEY_ID", help="operator key id")
    for flag, variable, what in (
        ("--operator-secret", "LOCUST_OPERATOR_SECRET", "that key's HMAC secret"),
        ("--admin-token", "LOCUST_ADMIN_TOKEN", "the reference wallet's admin token, for its sandbox"),
    ):
        parser.add_argument(flag, default="", env_var=variable, help=what, is_secret=True, include_in_web_ui=False)


class Credentials:
    """The operator's signing key and the sandbox's admin token, applied by path as the simulator expects: ``/v1``
    and ``/v2`` signed (HMAC-SHA256 over method, target, timestamp, nonce and the body's hash), ``/sandbox/`` and
    ``/ledger`` with the bearer token, the rest as it is."""

    def __init__(self, key_id: str | None, secret: str | None, admin_token: str | None) -> None:
        self.key_id, self.secret, self.admin_token = key_id, secret, admin_token

    @classmethod
    def load(cls, options: Any) -> Credentials:
        default = Path("data/credentials.json")
        file = Path(options.credentials) if options.credentials else default if default.is_file() else None
        data: JSONObject = json.loads(file.read_text()) if file is not None else {}
        key: JSONObject = (data.get("operator_keys") or [{}])[0]
        return cls(
            options.operator_key_id or key.get("key_id"),
            options.operator_secret or key.get("secret"),
            options.admin_token or data.get("admin_token"),
        )

    def headers(self, method: str, url: str, body: bytes) -> dict[str, str]:
        parts = urlsplit(url)
        if re.match(r"/v[12]/", parts.path) and self.key_id and self.secret:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
            signed = "\n".join((method, target, timestamp, nonce, hashlib.sha256(body).hexdigest())).encode()
            return {
                "X-Operator-Key": self.key_id,
                "X-Operator-Timestamp": timestamp,
                "X-Operator-Nonce": nonce,
                "X-Operator-Signature": "sha256=" + hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest(),
            }
        if ("/sandbox/" in parts.path or parts.path.endswith("/ledger")) and self.admin_token:
            return {"Authorization": f"Bearer {self.admin_token}"}
        return {}


_credentials: list[Credentials] = []


def credentials(options: Any) -> Credentials:
    """Read once per Locust process."""
    if not _credentials:
        _credentials.append(Credentials.load(options))
    return _credentials[0]


class PeakTrafficShape(LoadTestShape):
    """The shape named by ``--shape`` (see ``load_shapes``), cut short by ``--run-time``: headless Locust arms its own
    run-time limit only after a shape has finished, so the shape enforces it."""

    use_common_options = True

    def __init__(self) -> None:
        super().__init__()
        self._shape: load_shapes.StagesShape | None = None

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None and self.runner.environment.parsed_options is not None
        options = self.runner.environment.parsed_options
        if self._shape is None:
            shape = load_shapes.SHAPES[options.shape]
            self._shape = shape(options.num_users or 1, options.spawn_rate or 1.0, options.shape_time_scale)
        run_time = self.get_run_time()
        if options.run_time and run_time >= options.run_time:
            return None
        return self._shape.at(run_time)


def money_problems(body: JSONObject) -> list[str]:
    """Money is an integer of minor units everywhere; a float or a string here is a bug in the provider."""
    return [
        f"{name} is {type(body[name]).__name__} {body[name]!r}, not an integer"
        for name in MONEY_FIELDS
        if name in body and body[name] is not None and type(body[name]) is not int
    ]


def journey(weight: int) -> Callable[[Callable[[Any], None]], Any]:
    """A weighted task that counts towards ``--max-tasks``; while the player has no launched game (a request failed,
    and Locust recorded the failure), the task tries again to get one instead."""

    def wrap(function: Callable[[Any], None]) -> Any:
        @functools.wraps(function)
        def run(user: PlayerBase) -> None:
            user.count_task()
            if user.ready():
                function(user)

        return task(weight)(run)

    return wrap


class PlayerBase(FastHttpUser):
    """One player and their operator. Holds the response checks every journey shares; no tasks of its own."""

    abstract = True
    network_timeout = 30.0
    connection_timeout = 10.0
    prefers_multi_step = 0.2  # chance that a change of game picks a multi-step game

    def on_start(self) -> None:
        options = self.environment.parsed_options
        assert options is not None and self.host is not None
        self.options = options
        low, _, high = str(options.think_time).partition(",")
        self.think = (float(low), float(high or low))
        self.tasks_done = 0
        hosts = [h.strip().rstrip("/") for h in str(options.launch_hosts).split(",") if h.strip()]
        self.catalogue_host = (hosts or [self.host.rstrip("/")])[0]
        self.launch_hosts: Iterator[str] = itertools.cycle(hosts or [self.host.rstrip("/")])
        self.wallet_url = (options.wallet_url or f"{self.host.rstrip('/')}/wallet").rstrip("/")
        self.abandoned: list[tuple[str, str, str]] = []  # (play base, round id, engine id), at most three
        self.country = random.choice(COUNTRIES)
        self.player: JSONObject = {}
        self.game: JSONObject = {}
        self.play_base = ""
        self.launched: JSONObject = {}
        self.ready()

    def wait_time(self) -> float:
        return random.uniform(*self.think)

    def ready(self) -> bool:
        """A player with a launched game, made now if an earlier attempt failed: a failed launch is counted in the
        statistics and tried again at the next task, never the end of the user."""
        if not self.player:
            self.player = self.create_player() or {}
        if self.player and not self.play_base and (game := self.game or self.pick_game()):
            self.launch(game)
        return bool(self.play_base)

    def count_task(self) -> None:
        self.tasks_done += 1
        if self.options.max_tasks and self.tasks_done > self.options.max_tasks:
            raise StopUser

    # the shared checks

    def call(
        self, method: str, url: str, *, name: str, body: JSONObject | None = None, expect: tuple[int, ...] = (200,)
    ) -> tuple[int, JSONObject] | None:
        """One request with the checks every response must pass: an expected status, a JSON object, integer money.
        Returns ``(status, body)``, or ``None`` after recording a failure."""
        raw = b"" if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        headers |= credentials(self.options).headers(method, url, raw)
        with self.client.request(
            method, url, name=name, data=raw or None, headers=headers, catch_response=True
        ) as response:
            status = response.status_code
            try:
                data = json.loads(response.content or b"")
            except ValueError:
                response.failure(f"HTTP {status}: body is not JSON")
                return None
            if not isinstance(data, dict):
                response.failure(f"HTTP {status}: JSON body is not an object")
                return None
            if status not in expect:
                error = data["error"] if isinstance(data.get("error"), dict) else {}
                response.failure(f"HTTP {status} {error.get('code', '')}: {error.get('message', '')}".rstrip(": "))
                return None
            if problems := money_problems(data):
                response.failure("; ".join(problems))
                return None
            response.success()
            return status, data

    # the operator's side

    def create_player(self) -> JSONObject | None:
        reply = self.call(
            "POST",
            f"{self.wallet_url}/sandbox/players",
            name="POST /wallet/sandbox/players",
            body={"currency": self.options.currency, "balance": self.options.balance},
            expect=(201,),
        )
        return None if reply is None else reply[1]

    def catalogue(self, host: str) -> list[JSONObject] | None:
        """The games the operator may offer this player: in the player's currency, launchable in their country; None
        when a page failed (recorded), so that the next task reads it again."""
        key = (host, self.country)
        if key not in _catalogues:
            games: list[JSONObject] = []
            cursor = ""
            query = f"currency={self.options.currency}&country={self.country}&limit=500"
            for _ in range(100):  # pages of 500: far more than any catalogue
                reply = self.call("GET", f"{host}/v2/games?{query}{cursor}", name="GET /v2/games")
                if reply is None:
                    return None
                page = reply[1]
                games.extend(with_stake_limits(g, self.options.currency) for g in page["games"])
                if not page.get("next_cursor"):
                    break
                cursor = f"&cursor={page['next_cursor']}"
            if not games:
                raise StopUser  # nothing this player may play, now or later
            _catalogues[key] = games
        return _catalogues[key]

    def pick_game(self, *, multi_step: bool | None = None) -> JSONObject | None:
        games = self.catalogue(self.catalogue_host)
        if games is None:
            return None
        if multi_step is None:
            multi_step = random.random() < self.prefers_multi_step
        games = [g for g in games if g["category"] != "live"]  # live tables are LivePlayer's
        candidates = [g for g in games if g["multi_step"] == multi_step and g is not self.game] or games
        return random.choice(candidates)

    def launch(self, game: JSONObject) -> bool:
        host = next(self.launch_hosts)
        reply = self.call(
            "POST",
            f"{host}/v1/sessions",
            name="POST /v1/sessions",
            body={
                "player_id": self.player["player_id"],
                "game_id": game["game_id"],
                "currency": self.options.currency,
                "token": self.player["token"],
                "country": self.country,
            },
            expect=(201,),
        )
        if reply is None:
            return False
        self.game = game
        # the player plays where the launch URL points, as a browser would
        self.play_base = reply[1]["launch_url"]
        self.launched = reply[1]
        return True

    # the player's side

    def stake(self) -> int:
        low, high = self.game["stake_limits"]
        usual: int = self.options.stake
        return max(int(low), min(int(high), usual * random.choice((1, 1, 1, 2, 5))))

    def open_round(self, params: JSONObject) -> JSONObject | None:
        reply = self.call(
            "POST",
            f"{self.play_base}/rounds",
            name="POST /play/[token]/rounds",
            body={"amount": self.stake(), "params": params},
            expect=(200, 402),
        )
        if reply is None:
            return None
        status, body = reply
        if status == 402:  # out of money: the operator gives the player a fresh account, in the same game
            self.player, self.play_base = {}, ""
            self.ready()
            return None
        return body

    def act(self, play_base: str, round_id: str, action: str, params: JSONObject | None = None) -> JSONObject | None:
        reply = self.call(
            "POST",
            f"{play_base}/rounds/{round_id}/actions",
            name="POST /play/[token]/rounds/[id]/actions",
            body={"action": action, "params": params or {}},
        )
        return None if reply is None else reply[1]

    def play_round(self) -> None:
        engine = self.game["engine_id"]
        if engine == "mines":
            self.play_mines()
            return
        opened = self.open_round(bet_params(engine))
        if opened is not None and self.game["multi_step"]:
            self.finish(self.play_base, opened, engine)

    def play_mines(self, *, walk_away: bool = False) -> None:
        opened = self.open_round({"mines": random.choice((1, 3, 5))})
        if opened is None:
            return
        tiles = random.sample(range(25), 25)
        reveals = 1 if walk_away else random.randint(1, 6)
        state = opened
        for tile in tiles[:reveals]:
            self.wait()
            step = self.act(self.play_base, opened["round_id"], "reveal", {"tile": tile})
            if step is None or step["finished"]:
                return
            state = step
        if walk_away:
            self.remember_abandoned(opened["round_id"], "mines")
        elif "cashout" in state["actions"]:
            self.act(self.play_base, opened["round_id"], "cashout")

    def finish(self, play_base: str, state: JSONObject, engine: str) -> None:
        """Act until the round is finished: blackjack by a simple strategy, other games by their safest action."""
        for _ in range(40):  # no hand or grid needs this many actions
            if state.get("finished") or not state.get("actions"):
                return
            self.wait()
            action, params = choose_action(engine, state)
            step = self.act(play_base, state["round_id"], action, params)
            if step is None:
                return
            state = step

    def remember_abandoned(self, round_id: str, engine: str) -> None:
        self.abandoned = [*self.abandoned[-2:], (self.play_base, round_id, engine)]


class CasinoUser(PlayerBase):
    """A player of single rounds: the journeys below, weighted."""

    abstract = True

    # the journeys

    @journey(20)
    def play(self) -> None:
        self.play_round()

    @journey(3)
    def change_game(self) -> None:
        if game := self.pick_game():
            self.launch(game)  # a failed launch keeps the game being played

    @journey(1)
    def abandon_and_return(self) -> None:
        """Open a multi-step round and close the tab (mines: after one tile); next time, resume it from the open
        rounds list and finish it."""
        if self.abandoned:
            self.resume()
            return
        if not self.game["multi_step"] and not ((game := self.pick_game(multi_step=True)) and self.launch(game)):
            return
        engine = self.game["engine_id"]
        if engine == "mines":
            self.play_mines(walk_away=True)
        elif (opened := self.open_round({})) is not None and not opened["finished"]:
            self.remember_abandoned(opened["round_id"], engine)

    def resume(self) -> None:
        play_base, round_id, engine = self.abandoned.pop()
        reply = self.call("GET", f"{play_base}/rounds/open", name="GET /play/[token]/rounds/open")
        if reply is None:
            return
        for state in reply[1]["rounds"]:
            if state["round_id"] == round_id:
                self.finish(play_base, state, engine)


def with_stake_limits(game: JSONObject, currency: str) -> JSONObject:
    """The /v2 feed gives bet limits as decimal strings; stakes are sent in integer minor units."""
    limits = game["bet_limits"][currency]
    minor = tuple(int(Decimal(limits[end]).scaleb(limits["exponent"])) for end in ("min", "max"))
    return game | {"stake_limits": minor}


def bet_params(engine: str) -> JSONObject:
    return random.choice(PARAMS.get(engine.split("-")[0], ({},)))


def choose_action(engine: str, state: JSONObject) -> tuple[str, JSONObject]:
    """The next action of a multi-step round: blackjack by a simple strategy, crash by a cash-out claim, others by
    their safest action."""
    actions: list[str] = state["actions"]
    if engine.startswith("blackjack"):
        if "no_insurance" in actions:
            return "no_insurance", {}
        view = state.get("view") or {}
        hands = view.get("hands") or []
        active = view.get("active")
        total = hands[active]["total"] if isinstance(active, int) and active < len(hands) else 21
        if "split" in actions and random.random() < 0.5:
            return "split", {}
        if "double" in actions and total in (10, 11):
            return "double", {}
        if total < 17 and "hit" in actions:
            return "hit", {}
    if engine == "crash" and "cashout" in actions and random.random() < 0.8:
        return "cashout", {"multiplier": random.choice(("1.20", "1.50", "2.00", "5.00"))}
    for safe in ("stand", "ride", "cashout"):
        if safe in actions:
            return safe, {}
    return actions[0], {}


class SlotsPlayer(CasinoUser):
    """Mostly single-step games (slots, roulette, dice...), rounds back to back."""

    weight = 3
    prefers_multi_step = 0.1


class TablePlayer(CasinoUser):
    """Mostly multi-step games: mines grids and blackjack hands played to the end."""

    weight = 1
    prefers_multi_step = 0.8


if __name__ == "__main__":
    # a bounded run of one user for debugging: python loadtests/locustfile.py --host http://127.0.0.1:8080
    os.environ.setdefault("LOCUST_MAX_TASKS", "20")
    os.environ.setdefault("LOCUST_THINK_TIME", "0.05,0.2")
    run_single_user(TablePlayer if os.environ.get("LOCUST_USER") == "TablePlayer" else SlotsPlayer)
