"""The asyncio client, over aiohttp: the same methods as ``simulator_sdk.Client``, awaited, and lists as async
iterators. It sends the very bytes the sync client sends (both take their requests from ``simulator_sdk.calls``).

    async with AsyncClient("http://127.0.0.1:8080", Credentials.from_data_dir("data")) as client:
        player = await client.create_player("USD", 100_000)
        async for game in client.games(engine="dice"):
            ...
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import aiohttp
from yarl import URL

from simulator_sdk import calls
from simulator_sdk.calls import Paging, Reply, Request, segment
from simulator_sdk.client import DEFAULT_URL, PAGE_SIZE, default_credentials
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


def _ssl(verify: ssl.SSLContext | str | bool) -> ssl.SSLContext | bool:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return verify


class AsyncClient:
    """Arguments as ``simulator_sdk.Client``. The aiohttp session is made on first use, inside the running loop,
    and closed by ``await close()`` or ``async with``."""

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
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._ssl = _ssl(verify)
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()

    # the wire

    async def send(
        self, method: str, target: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Reply:
        """One request with the credentials its path needs; the answer whatever its status. ``TransportError``
        when nothing usable came back."""
        if self._http is None:
            connector = aiohttp.TCPConnector(ssl=self._ssl)
            self._http = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        target = calls.wire_target(target)
        sent = dict(headers or {})
        if self.credentials is not None:
            sent |= self.credentials.headers(method.upper(), target, body)
        url = URL(self.base_url + target, encoded=True)  # sent exactly as signed
        try:
            async with self._http.request(
                method.upper(), url, data=body or None, headers=sent, allow_redirects=False
            ) as response:
                content = await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransportError(f"{method.upper()} {self.base_url}{target}: {exc!r}") from exc
        version = response.version
        return Reply(
            response.status,
            response.reason or "",
            list(response.headers.items()),
            content,
            f"{version.major}.{version.minor}" if version else "1.1",
        )

    async def run(self, request: Request) -> Any:
        reply = await self.send(request.method, request.target, request.body, request.content_headers())
        return reply.json()

    async def call(
        self, method: str, path: str, json: object = None, *, query: Mapping[str, object] | None = None
    ) -> Any:
        return await self.run(calls.request(method, path, json, query))

    async def pages(self, paging: Paging) -> AsyncIterator[Any]:
        request: Request | None = paging.first()
        while request is not None:
            page = await self.run(request)
            for item in paging.items(page):
                yield item
            request = paging.next(page)

    # operator API (signed)

    async def studios(self) -> list[Studio]:
        return cast(list[Studio], (await self.run(calls.request("GET", "/v1/studios")))["studios"])

    def games(self, **filters: object) -> AsyncIterator[Game]:
        return cast(AsyncIterator[Game], self.pages(calls.games(self.page_size, **filters)))

    async def game(self, game_id: str) -> Game:
        return cast(Game, await self.run(calls.request("GET", f"/v1/games/{segment(game_id)}")))

    async def reference_game(self, engine: str) -> Game:
        async for game in self.games(engine=engine, reference=True):
            return game
        raise LookupError(f"no reference title for engine {engine!r}")

    def game_changes(self, since: int = 0) -> AsyncIterator[dict[str, Any]]:
        return cast(AsyncIterator[dict[str, Any]], self.pages(calls.game_changes(min(self.page_size, 1000), since)))

    async def launch(
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
        return cast(Launch, await self.run(request))

    async def round(self, round_id: str) -> RoundRecord:
        return cast(RoundRecord, await self.run(calls.request("GET", f"/v1/rounds/{segment(round_id)}")))

    def rounds(self, status: str | list[str] | None = None) -> AsyncIterator[RoundSummary]:
        return cast(AsyncIterator[RoundSummary], self.pages(calls.rounds(self.page_size, status)))

    def transactions(self, **filters: object) -> AsyncIterator[Transaction]:
        return cast(AsyncIterator[Transaction], self.pages(calls.transactions(self.page_size, **filters)))

    async def verify(self, **fields: object) -> dict[str, Any]:
        return cast(dict[str, Any], await self.run(calls.request("POST", "/v1/fairness/verify", fields)))

    async def wait_for_round(self, round_id: str, *, within: float = 30.0, interval: float = 0.05) -> RoundRecord:
        """As ``Client.wait_for_round``."""
        status = "unknown"
        try:
            async with asyncio.timeout(within):
                while True:
                    record = await self.round(round_id)
                    if (status := record["status"]) in calls.WAIT_ENDS:
                        return record
                    await asyncio.sleep(interval)
        except TimeoutError:
            raise TimeoutError(f"round {round_id} still {status} after {within}s") from None

    # game client (the session token)

    async def session_info(self, token: str) -> SessionInfo:
        return cast(SessionInfo, await self.run(calls.request("GET", f"/play/{segment(token)}/session")))

    async def play(self, token: str, amount: int, params: Mapping[str, Any] | None = None) -> Round:
        return cast(Round, await self.run(calls.play(token, amount, params)))

    async def act(self, token: str, round_id: str, action: str, params: Mapping[str, Any] | None = None) -> Round:
        return cast(Round, await self.run(calls.act(token, round_id, action, params)))

    async def open_rounds(self, token: str) -> list[Round]:
        page = await self.run(calls.request("GET", f"/play/{segment(token)}/rounds/open"))
        return cast(list[Round], page["rounds"])

    async def rotate_seed(self, token: str, client_seed: str | None = None) -> dict[str, Any]:
        return cast(dict[str, Any], await self.run(calls.rotate_seed(token, client_seed)))

    # admin API (the admin token)

    async def health(self) -> dict[str, Any]:
        return cast(dict[str, Any], await self.run(calls.request("GET", "/healthz")))

    async def faults(self) -> list[FaultRule]:
        return cast(list[FaultRule], (await self.run(calls.request("GET", "/admin/faults")))["rules"])

    async def add_fault(self, rule: Mapping[str, Any]) -> FaultRule:
        return cast(FaultRule, await self.run(calls.request("POST", "/admin/faults", dict(rule))))

    async def remove_fault(self, rule_id: str) -> None:
        await self.run(calls.request("DELETE", f"/admin/faults/{segment(rule_id)}"))

    async def clear_faults(self) -> None:
        await self.run(calls.request("DELETE", "/admin/faults"))

    async def journal(self, **filters: object) -> list[dict[str, Any]]:
        page = await self.run(calls.request("GET", "/admin/journal", query=filters))
        return cast(list[dict[str, Any]], page["entries"])

    async def settlement(self) -> dict[str, Any]:
        return cast(dict[str, Any], await self.run(calls.request("GET", "/admin/settlement")))

    # the reference wallet's sandbox (the admin token)

    async def create_player(
        self, currency: str, balance: int = 0, *, player_id: str | None = None, blocked: bool = False
    ) -> NewPlayer:
        request = calls.create_player(
            currency=currency, balance=balance, player_id=player_id, blocked=blocked, wallet_path=self.wallet_path
        )
        return cast(NewPlayer, await self.run(request))

    async def player(self, player_id: str) -> Player:
        path = f"{self.wallet_path}/sandbox/players/{segment(player_id)}"
        return cast(Player, await self.run(calls.request("GET", path)))

    async def issue_token(self, player_id: str) -> dict[str, Any]:
        path = f"{self.wallet_path}/sandbox/players/{segment(player_id)}/tokens"
        return cast(dict[str, Any], await self.run(calls.request("POST", path, {})))
