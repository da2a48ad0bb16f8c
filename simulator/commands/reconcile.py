"""``casino-sim reconcile``: compare the provider's transaction log with a wallet's ledger.

The provider's side comes from a running simulator (``--simulator-url``: ``/v1/transactions`` and
``/v1/rounds``) or straight from its database (``--database-url``); the wallet's from a reference wallet
(``--wallet-url``: ``/ledger``) or from a CSV or JSON file any operator can produce (``--ledger``; the format
is in docs/settlement.md). The provider is read first, then the wallet, then the provider's newest
transactions again, so traffic during the run is not mistaken for differences.

Exit status: 0 when the two agree, 1 when they differ (or, with ``--fail-on-open``, when rounds are still
unsettled), 2 when a source cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp

from simulator.commands.common import client_session, load_client_settings
from simulator.errors import SimulatorError
from simulator.lifecycle import UNSETTLED_ROUND_STATUSES
from simulator.settlement.reconcile import (
    LedgerFileError,
    ProviderRecord,
    Report,
    RoundState,
    WalletRecord,
    parse_ledger_file,
    provider_record,
    reconcile,
    wallet_record,
)
from simulator.store.database import open_database
from simulator.store.provider import ProviderStore

PROVIDER_PAGE = 1000
WALLET_PAGE = 10000


class SourceError(SimulatorError, code="SOURCE_UNREADABLE"): ...


async def _get(http: aiohttp.ClientSession, url: str) -> Any:
    try:
        async with http.get(url) as response:
            body = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise SourceError(f"cannot read {url}: {type(exc).__name__} {exc}".rstrip()) from exc
    if status != 200:
        raise SourceError(f"{url} answered HTTP {status}: {body[:200].decode(errors='replace')}")
    try:
        return json.loads(body)
    except ValueError:
        raise SourceError(f"{url} did not answer JSON") from None


class _SimulatorSource:
    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self._http = http
        self._url = url.rstrip("/")

    async def transactions(self, after: int = 0) -> tuple[list[ProviderRecord], int]:
        out: list[ProviderRecord] = []
        while True:
            page = await _get(self._http, f"{self._url}/v1/transactions?after={after}&limit={PROVIDER_PAGE}")
            out += [provider_record(t) for t in page["transactions"]]
            if not page["transactions"]:
                return out, after
            after = int(page["next_after"])

    async def rounds(self) -> list[RoundState]:
        out: list[RoundState] = []
        cursor = ""
        while True:
            page = await _get(self._http, f"{self._url}/v1/rounds?status=unsettled&limit=1000{cursor}")
            out += [RoundState(r["round_id"], r["player_id"], r["status"]) for r in page["rounds"]]
            if page["next_cursor"] is None:
                return out
            cursor = f"&cursor={page['next_cursor']}"


class _DatabaseSource:
    def __init__(self, store: ProviderStore) -> None:
        self._store = store

    async def transactions(self, after: int = 0) -> tuple[list[ProviderRecord], int]:
        out: list[ProviderRecord] = []
        while page := await self._store.outbox.transactions(after=after, limit=PROVIDER_PAGE):
            out += [ProviderRecord.of(t) for t in page]
            after = page[-1].seq
        return out, after

    async def rounds(self) -> list[RoundState]:
        rounds = await self._store.rounds.page(statuses=UNSETTLED_ROUND_STATUSES, limit=1_000_000)
        return [RoundState(r.round_id, r.player_id, r.status) for r in rounds]


async def _wallet_ledger(http: aiohttp.ClientSession, url: str) -> list[WalletRecord]:
    out: list[WalletRecord] = []
    after = 0
    base = url.rstrip("/")
    while True:
        page = await _get(http, f"{base}/ledger?after={after}&limit={WALLET_PAGE}")
        try:
            out += [wallet_record(row, f"entry {row.get('seq')}") for row in page["entries"]]
        except LedgerFileError as exc:
            raise SourceError(f"{base}/ledger: {exc}") from None
        if not page["entries"]:
            return out
        after = int(page["next_after"])


def _ledger_file(path: Path, file_format: str | None) -> list[WalletRecord]:
    chosen = file_format or ("json" if path.suffix.lower() == ".json" else "csv")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        return parse_ledger_file(text, "json" if chosen == "json" else "csv")
    except LedgerFileError as exc:
        raise SourceError(f"{path}: {exc}") from None


async def _open_store(url: str) -> ProviderStore:
    try:
        return ProviderStore(await open_database(url))
    except (OSError, ValueError, RuntimeError) as exc:
        raise SourceError(f"cannot open {url.split('@')[-1]}: {exc}") from exc


async def collect(args: argparse.Namespace, ledger_file: list[WalletRecord] | None = None) -> Report:
    """Read the provider, then the wallet (``ledger_file`` when given), then the provider's newest rows."""
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    origins = [url for url in (args.simulator_url, args.wallet_url) if url]
    async with client_session(load_client_settings(args), origins=origins, client_timeout=timeout) as (http, _):
        store = await _open_store(args.database_url) if args.database_url else None
        source = _DatabaseSource(store) if store is not None else _SimulatorSource(http, args.simulator_url)
        try:
            provider, last_seq = await source.transactions()
            rounds = await source.rounds()
            wallet = ledger_file if ledger_file is not None else await _wallet_ledger(http, args.wallet_url)
            late, _ = await source.transactions(after=last_seq)
        except SimulatorError:
            raise
        except Exception as exc:  # a database that is not the simulator's, a feed of another shape
            raise SourceError(f"cannot read the sources: {type(exc).__name__}: {exc}") from exc
        finally:
            if store is not None:
                await store.db.close()
    return reconcile(provider, wallet, rounds, late=[t.transaction_id for t in late])


def run(args: argparse.Namespace) -> int:
    try:
        if args.database_url and args.database_url.startswith("sqlite:///"):
            path = Path(args.database_url.removeprefix("sqlite:///"))
            if not path.is_file():  # SQLite would create an empty one
                raise SourceError(f"no database file at {path}")
        ledger = _ledger_file(args.ledger, args.ledger_format) if args.ledger else None
        report = asyncio.run(collect(args, ledger))
    except SimulatorError as exc:
        print(f"casino-sim reconcile: {exc.message}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_json(), indent=2) if args.json else report.to_text(listed=args.list))
    return 1 if report.differences or (args.fail_on_open and report.open_rounds) else 0
