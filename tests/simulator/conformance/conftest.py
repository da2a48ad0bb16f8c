"""Run the suite against a wallet from ``tests.fakes.wallets``, with the wallet's clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.conformance.model import Status, SuiteResult
from simulator.conformance.runner import run
from simulator.wallet.ledger import Ledger
from tests.fakes.wallets import wallet_under_test

DIALECTS = ("native", "rsa_json", "md5_form", "token_query")


async def run_suite(tmp_path: Path, dialect: str, *, ledger: type[Ledger] | None = None, **options: Any) -> SuiteResult:
    async with wallet_under_test(tmp_path, dialect, ledger=ledger, **options) as wallet:
        return await run(wallet.options, clock=wallet.clock, advance_clock=wallet.clock.advance)


def ids(result: SuiteResult, status: Status) -> set[str]:
    return {r.id for r in result.results if r.status is status}


def explain(result: SuiteResult) -> str:
    """What went wrong, for an assertion message."""
    return "\n".join(f"{r.status} {r.id}: {r.reason}" for r in result.results if r.status is not Status.PASS)
