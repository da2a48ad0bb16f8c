"""The synchronous client, over httpx: one pooled connection set per ``Client``, closed by ``close()`` or ``with``.

>>> from simulator_sdk import Client, Credentials
>>> client = Client("http://127.0.0.1:8080", Credentials("dev-key-1", "s" * 32, "t" * 32))
>>> client.base_url
'http://127.0.0.1:8080'
>>> client.close()

Requests are built by ``simulator_sdk.calls`` and signed by ``simulator_sdk.credentials``; an error answer raises
its family's exception from ``simulator_sdk.errors``; a list is an iterator that asks for the next page when the
previous one is used up.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import httpx

from simulator_sdk import calls
from simulator_sdk.calls import Paging, Reply, Request, segment
from simulator_sdk.credentials import Credentials
from simulator_sdk.errors import TransportError
from simulator_sdk.types import (
    FaultRule,
    Game,
    Launch,
    NewPlayer,
    Player,
    Round,
    RoundRecord,
    RoundSummary,
    SessionInfo,
    Studio,
    Transaction,
)

DEFAULT_URL = "http://127.0.0.1:8080"
PAGE_SIZE = 500


def default_credentials(data_dir: Path | str | None) -> Credentials | None:
    """``credentials.json`` under ``data_dir``; without one, under ``./data`` if a server wrote it there."""
    path = Path(data_dir if data_dir is not None else "data") / "credentials.json"
    if data_dir is None and not path.exists():
        return None
    return Credentials.from_file(path)


class Client:
    """``credentials``: the operator key and admin token; when None, read from ``data_dir``'s ``credentials.json``
    (``./data``, where ``casino-sim serve`` writes it, if present). ``verify``: an ``ssl.SSLContext``, a CA file
    path, or False for an https server. ``wallet_path``: where the reference wallet is mounted."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        credentials: Credentials | None = None,
        *,
        data_dir: Path | str | None = None,
        timeout: float = 30.0,
        verify: ssl.SSLContext | str | bool = True,
        page_size: int = PAGE_SIZE,
        wallet_path: str = "/wallet",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials if credentials is not None else default_credentials(data_dir)
        self.page_size = page_size
        self.wallet_path = wallet_path
        self._http = httpx.Client(timeout=timeout, verify=verify, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # the wire

    def send(self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None) -> Reply:
        """One request with the credentials its path needs; the answer whatever its status. ``TransportError``
        when nothing usable came back."""
        target = calls.wire_target(target)
        sent = dict(headers or {})
        if self.credentials is not None:
            sent |= self.credentials.headers(method.upper(), target, body)
        try:
            response = self._http.request(method.upper(), self.base_url + target, content=body or None, headers=sent)
        except httpx.HTTPError as exc:
            raise TransportError(f"{method.upper()} {self.base_url}{target}: {exc!r}") from exc
        return Reply(
            response.status_code,
            response.reason_phrase,
            list(response.headers.multi_items()),
            response.content,
            response.http_version.removeprefix("HTTP/"),
        )

    def run(self, request: Request) -> Any:
        return self.send(request.method, request.target, request.body, request.content_headers()).json()

    def call(self, method: str, path: str, json: object = None, *, query: Mapping[str, object] | None = None) -> Any:
        """Any route: JSON in, JSON out, typed errors."""
        return self.run(calls.request(method, path, json, query))

    def pages(self, paging: Paging) -> Iterator[Any]:
        """Every item of a paged list, once, asking for each page when the previous one is used up."""
        request: Request | None = paging.first()
        while request is not None:
            page = self.run(request)
            yield from paging.items(page)
            request = paging.next(page)

    # operator API (signed)

    def studios(self) -> list[Studio]:
        return cast(list[Studio], self.run(calls.request("GET", "/v1/studios"))["studios"])

    def games(self, **filters: object) -> Iterator[Game]:
        """Games matching the catalogue filters (``engine``, ``studio``, ``currency``, ``reference``...)."""
        return cast(Iterator[Game], self.pages(calls.games(self.page_size, **filters)))

    def game(self, game_id: str) -> Game:
        return cast(Game, self.run(calls.request("GET", f"/v1/games/{segment(game_id)}")))

    def reference_game(self, engine: str) -> Game:
        """The engine's reference title: offered in every currency and country, never disabled."""
        return next(self.games(engine=engine, reference=True))

    def game_changes(self, since: int = 0) -> Iterator[dict[str, Any]]:
        return cast(Iterator[dict[str, Any]], self.pages(calls.game_changes(min(self.page_size, 1000), since)))

    def launch(
        self,
        *,
        game_id: str,
        currency: str,
        player_id: str | None = None,
        token: str | None = None,
        country: str | None = None,
        language: str | None = None,
        demo: bool = False,
        client_seed: str | None = None,
    ) -> Launch:
        request = calls.launch(
            game_id=game_id,
            currency=currency,
            player_id=player_id,
            token=token,
            country=country,
            language=language,
            demo=demo,
            client_seed=client_seed,
        )
        return cast(Launch, self.run(request))

    def round(self, round_id: str) -> RoundRecord:
        return cast(RoundRecord, self.run(calls.request("GET", f"/v1/rounds/{segment(round_id)}")))

    def rounds(self, status: str | list[str] | None = None) -> Iterator[RoundSummary]:
        return cast(Iterator[RoundSummary], self.pages(calls.rounds(self.page_size, status)))

    def transactions(self, **filters: object) -> Iterator[Transaction]:
        """The provider's transaction log, oldest first (``round_id``, ``player_id``, ``kind``, ``status``)."""
        return cast(Iterator[Transaction], self.pages(calls.transactions(self.page_size, **filters)))

    def verify(self, **fields: object) -> dict[str, Any]:
        return cast(dict[str, Any], self.run(calls.request("POST", "/v1/fairness/verify", fields)))

    def wait_for_round(self, round_id: str, *, within: float = 30.0, interval: float = 0.05) -> RoundRecord:
        """The round once it is settled (closed, void, rolled back) or handed to a person (manual), polling the
        operator API; ``TimeoutError`` if it is still moving after ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            record = self.round(round_id)
            if record["status"] in calls.WAIT_ENDS:
                return record
            if time.monotonic() > deadline:
                raise TimeoutError(f"round {round_id} still {record['status']} after {within}s")
            time.sleep(interval)

    # game client (the session token)

    def session_info(self, token: str) -> SessionInfo:
        return cast(SessionInfo, self.run(calls.request("GET", f"/play/{segment(token)}/session")))

    def play(self, token: str, amount: int, params: Mapping[str, Any] | None = None) -> Round:
        """One round (or the opening of a multi-step one) of ``amount`` minor units."""
        return cast(Round, self.run(calls.play(token, amount, params)))

    def act(self, token: str, round_id: str, action: str, params: Mapping[str, Any] | None = None) -> Round:
        return cast(Round, self.run(calls.act(token, round_id, action, params)))

    def open_rounds(self, token: str) -> list[Round]:
        return cast(list[Round], self.run(calls.request("GET", f"/play/{segment(token)}/rounds/open"))["rounds"])

    def rotate_seed(self, token: str, client_seed: str | None = None) -> dict[str, Any]:
        return cast(dict[str, Any], self.run(calls.rotate_seed(token, client_seed)))

    # admin API (the admin token)

    def health(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.run(calls.request("GET", "/healthz")))

    def faults(self) -> list[FaultRule]:
        return cast(list[FaultRule], self.run(calls.request("GET", "/admin/faults"))["rules"])

    def add_fault(self, rule: Mapping[str, Any]) -> FaultRule:
        """Add a fault rule (docs/faults.md), last in priority; the rule as stored, with its ``id``."""
        return cast(FaultRule, self.run(calls.request("POST", "/admin/faults", dict(rule))))

    def remove_fault(self, rule_id: str) -> None:
        self.run(calls.request("DELETE", f"/admin/faults/{segment(rule_id)}"))

    def clear_faults(self) -> None:
        self.run(calls.request("DELETE", "/admin/faults"))

    def journal(self, **filters: object) -> list[dict[str, Any]]:
        """Recent exchanges (``side``, ``operation``, ``round``, ``fault``, ``after``, ``limit``...)."""
        return cast(list[dict[str, Any]], self.run(calls.request("GET", "/admin/journal", query=filters))["entries"])

    def settlement(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.run(calls.request("GET", "/admin/settlement")))

    # the reference wallet's sandbox (the admin token)

    def create_player(
        self, currency: str, balance: int = 0, *, player_id: str | None = None, blocked: bool = False
    ) -> NewPlayer:
        request = calls.create_player(
            currency=currency, balance=balance, player_id=player_id, blocked=blocked, wallet_path=self.wallet_path
        )
        return cast(NewPlayer, self.run(request))

    def player(self, player_id: str) -> Player:
        path = f"{self.wallet_path}/sandbox/players/{segment(player_id)}"
        return cast(Player, self.run(calls.request("GET", path)))

    def issue_token(self, player_id: str) -> dict[str, Any]:
        path = f"{self.wallet_path}/sandbox/players/{segment(player_id)}/tokens"
        return cast(dict[str, Any], self.run(calls.request("POST", path, {})))
