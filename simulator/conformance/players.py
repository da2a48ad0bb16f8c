"""Where the players a check plays with come from.

Against the reference wallet every check gets fresh players from its sandbox, set up as the check needs
(a balance, blocked, a limit, free rounds), so all checks can run at once. Against any other wallet the
operator names sandbox players (``--player`` or a players file) and each check borrows the ones it needs
for as long as it runs: checks that share a player wait for each other, so none sees another's bets.

A players file is JSON or TOML with a list ``players``; each entry has ``id``, ``token``, ``currency`` and
optionally ``role`` (``standard``, ``blocked``: cannot bet, ``limited``: a responsible-gaming limit refuses a
bet of ``limited_bet`` minor units, ``bonus``: has free rounds of ``campaign_id``) and ``expired_token`` (a
session token of that player that has expired)::

    [[players]]
    id = "p-1001"
    token = "3f1c..."
    currency = "EUR"
    expired_token = "9a0b..."
"""

from __future__ import annotations

import asyncio
import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

from simulator.conformance.client import Client, Record
from simulator.conformance.errors import SetupError
from simulator.money import EXPONENTS

Role = Literal["standard", "blocked", "limited", "bonus"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True, slots=True)
class Player:
    player_id: str
    token: str
    currency: str
    role: Role = "standard"
    shared: bool = True  # the operator's player: other checks use it later, so leave it as found
    expired_token: str | None = None
    campaign_id: str | None = None
    limited_bet: int | None = None

    def __repr__(self) -> str:
        return f"Player({self.player_id!r}, {self.currency}, {self.role})"


def parse_player(text: str) -> Player:
    """``ID:TOKEN:CURRENCY`` from the command line (the token may itself contain colons)."""
    player_id, sep, rest = text.partition(":")
    token, sep2, currency = rest.rpartition(":")
    if not (sep and sep2 and player_id and token and currency):
        raise SetupError(f"--player wants ID:TOKEN:CURRENCY, got {text.split(':', 1)[0]!r}:…")
    return _checked(Player(player_id, token, currency.upper()))


def load_players(path: Path) -> list[Player]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SetupError(f"cannot read the players file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise SetupError(f"the players file {path} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}") from None
    entries = data.get("players") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SetupError(f"the players file {path} needs a non-empty list `players`")
    return [_entry(entry, f"{path} players[{n}]") for n, entry in enumerate(entries)]


def _entry(entry: Any, where: str) -> Player:
    if not isinstance(entry, dict):
        raise SetupError(f"{where} must be a table of id, token, currency...")
    known = {"id", "token", "currency", "role", "expired_token", "campaign_id", "limited_bet"}
    if unknown := set(entry) - known:
        raise SetupError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for name in ("id", "token", "currency"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            raise SetupError(f"{where}: `{name}` is required (a string)")
    role = entry.get("role", "standard")
    if role not in ROLES:
        raise SetupError(f"{where}: role must be one of {', '.join(ROLES)}")
    limited = entry.get("limited_bet")
    if limited is not None and (not isinstance(limited, int) or isinstance(limited, bool) or limited <= 0):
        raise SetupError(f"{where}: limited_bet is a positive integer of minor units")
    player = Player(
        entry["id"],
        entry["token"],
        entry["currency"].upper(),
        role,
        expired_token=entry.get("expired_token"),
        campaign_id=entry.get("campaign_id"),
        limited_bet=limited,
    )
    if role == "bonus" and not player.campaign_id:
        raise SetupError(f"{where}: a bonus player needs the campaign_id of its free rounds")
    if role == "limited" and player.limited_bet is None:
        raise SetupError(f"{where}: a limited player needs limited_bet, a bet its limit refuses")
    return _checked(player)


def _checked(player: Player) -> Player:
    if player.currency not in EXPONENTS:
        raise SetupError(f"player {player.player_id}: unknown currency {player.currency}")
    return player


class Unavailable(Exception):
    """No player fits what a check needs; the check is skipped with this reason."""


class Sandbox:
    """The reference wallet's sandbox API (``/sandbox/...`` under its base URL), which takes its admin token."""

    def __init__(self, client: Client, base_url: str, admin_token: str | None = None) -> None:
        self._client = client
        self.url = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self.refused = False  # the probe got a 401: a sandbox that wants an(other) admin token

    async def _call(
        self, label: str, method: str, path: str, body: dict[str, Any] | None, record: Record
    ) -> tuple[int, Any]:
        raw = b"" if body is None else json.dumps(body).encode()
        headers = ({"Content-Type": "application/json"} if body is not None else {}) | self._auth
        status, reply = await self._client.post(method, self.url + path, headers, raw, label, record, kind="sandbox")
        try:
            return status, json.loads(reply)
        except ValueError:
            return status, None

    async def present(self, record: Record) -> bool:
        """True when ``{url}/sandbox/players/{id}`` answers like the reference wallet's sandbox: a 404 that
        names the unknown player (an unknown route would not)."""
        probe = "conformance-probe"
        try:
            status, reply = await self._call(
                "is this the reference sandbox?", "GET", f"/sandbox/players/{probe}", None, record
            )
        except Exception:  # any failure means: not our sandbox
            return False
        error = reply.get("error") if isinstance(reply, dict) else None
        self.refused = status == 401
        return status == 404 and isinstance(error, dict) and probe in str(error.get("message", ""))

    async def create(self, currency: str, balance: int, record: Record, *, blocked: bool = False) -> Player:
        body = {"currency": currency, "balance": balance, "blocked": blocked}
        status, reply = await self._call("create a player", "POST", "/sandbox/players", body, record)
        if status != 201 or not isinstance(reply, dict):
            raise Unavailable(f"the sandbox did not create a player (HTTP {status})")
        self._client.redactor.add(reply["token"])
        return Player(reply["player_id"], reply["token"], currency, "blocked" if blocked else "standard", False)

    async def issue_token(self, player: Player, ttl: int, record: Record) -> str | None:
        path = f"/sandbox/players/{player.player_id}/tokens"
        status, reply = await self._call(f"issue a token with ttl {ttl}", "POST", path, {"ttl": ttl}, record)
        if status != 201 or not isinstance(reply, dict):
            return None
        token = str(reply["token"])
        self._client.redactor.add(token)
        return token

    async def patch(self, player: Player, controls: dict[str, Any], record: Record) -> None:
        path = f"/sandbox/players/{player.player_id}"
        status, _ = await self._call(f"set {', '.join(controls)}", "PATCH", path, controls, record)
        if status != 200:
            raise Unavailable(f"the sandbox did not set {', '.join(controls)} (HTTP {status})")

    async def grant_free_rounds(self, player: Player, campaign_id: str, rounds: int, record: Record) -> None:
        body = {"free_rounds": rounds, "campaign_id": campaign_id}
        path = f"/sandbox/players/{player.player_id}/bonus"
        status, _ = await self._call("grant free rounds", "POST", path, body, record)
        if status != 200:
            raise Unavailable(f"the sandbox did not grant free rounds (HTTP {status})")

    async def bonus_balance(self, player: Player, record: Record) -> int | None:
        """The player's bonus money, or ``None`` when the sandbox does not show it."""
        status, reply = await self._call(
            "read the bonus balance", "GET", f"/sandbox/players/{player.player_id}", None, record
        )
        value = reply.get("bonus_balance") if status == 200 and isinstance(reply, dict) else None
        return value if type(value) is int else None

    async def disable_game(self, game_id: str, record: Record) -> bool:
        path = f"/sandbox/games/{game_id}"
        status, _ = await self._call("stop offering a game", "PUT", path, {"enabled": False}, record)
        return status == 200


@dataclass(frozen=True, slots=True)
class Want:
    """What a check asks for: ``count`` players of ``role``, with ``balance`` minor units when created in a
    sandbox, in ``currency`` (default: the suite's), given with an expired token when it needs one."""

    role: Role = "standard"
    count: int = 1
    balance: int = 10_000
    currency: str | None = None
    expired_token: bool = False  # prefer operator players given with an expired token


class Players:
    """Hands out players: created in the sandbox, or borrowed from the operator's list."""

    def __init__(
        self,
        given: Sequence[Player],
        sandbox: Sandbox | None,
        currency: str,
        new_id: Callable[[str], str],
    ) -> None:
        self.given = list(given)
        self.sandbox = sandbox
        self.currency = currency
        self._new_id = new_id
        self._busy: set[str] = set()
        self._freed = asyncio.Condition()

    def describe(self) -> str:
        if self.sandbox is not None and not self.given:
            return f"created in the reference wallet's sandbox at {self.sandbox.url}"
        return f"{len(self.given)} operator player(s): " + ", ".join(f"{p.player_id} ({p.role})" for p in self.given)

    def currencies(self) -> list[str]:
        """The currencies of the operator's standard players."""
        return sorted({p.currency for p in self.given if p.role == "standard"})

    async def take(self, want: Want, record: Record) -> list[Player]:
        if self.sandbox is not None and not self.given:
            return [await self._create(want, record) for _ in range(want.count)]
        candidates = [
            p for p in self.given if p.role == want.role and (want.currency is None or p.currency == want.currency)
        ]
        if want.expired_token and any(p.expired_token for p in candidates):
            candidates = [p for p in candidates if p.expired_token]
        if len(candidates) < want.count:
            where = f" in {want.currency}" if want.currency else ""
            raise Unavailable(
                f"needs {want.count} {want.role} player(s){where}; the players given have {len(candidates)}"
            )
        async with self._freed:
            await self._freed.wait_for(lambda: sum(p.player_id not in self._busy for p in candidates) >= want.count)
            chosen = [p for p in candidates if p.player_id not in self._busy][: want.count]
            self._busy |= {p.player_id for p in chosen}
        return chosen

    async def release(self, players: Sequence[Player]) -> None:
        async with self._freed:
            self._busy -= {p.player_id for p in players if p.shared}
            self._freed.notify_all()

    async def _create(self, want: Want, record: Record) -> Player:
        assert self.sandbox is not None
        currency = want.currency or self.currency
        player = await self.sandbox.create(currency, want.balance, record, blocked=want.role == "blocked")
        if want.role == "limited":
            limit = want.balance // 10
            await self.sandbox.patch(player, {"daily_wager_limit": limit}, record)
            return replace(player, role="limited", limited_bet=limit + 1)
        if want.role == "bonus":
            campaign = self._new_id("campaign")
            await self.sandbox.grant_free_rounds(player, campaign, 3, record)
            return replace(player, role="bonus", campaign_id=campaign)
        return player
