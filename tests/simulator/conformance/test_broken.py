"""The suite can fail: wallets with one rule broken, each a real server, fail exactly the checks aimed at
their defect and pass every other."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator.wallet.app
from simulator.conformance.model import Status
from simulator.wallet.ledger import Ledger
from tests.fakes import wallets
from tests.simulator.conformance.conftest import explain, ids, run_suite
from tests.simulator.conformance.test_reference import NOT_EXPRESSIBLE

BROKEN = [
    pytest.param(
        "native",
        wallets.DoubleDebitLedger,
        {"idem.duplicate-bet", "idem.request-id-replay", "retry.storm"},
        id="double-debit-on-duplicate",
    ),
    pytest.param(
        "md5_form",
        wallets.DoubleDebitLedger,
        {"idem.duplicate-bet", "retry.storm"},  # md5_form has no request ids to replay
        id="double-debit-on-duplicate-md5_form",
    ),
    pytest.param("native", wallets.OverdrawLedger, {"concurrency.parallel-bets"}, id="overdraw-under-concurrency"),
    pytest.param("native", wallets.RollbackTwiceLedger, {"rollback.repeated"}, id="rollback-applied-twice"),
    pytest.param(
        "native",
        wallets.NoTombstoneLedger,
        {"rollback.repeated", "rollback.bet-after-rollback", "rollback.before-bet"},
        id="no-rollback-tombstone",
    ),
    pytest.param(
        "token_query",
        wallets.NoTombstoneLedger,
        {"rollback.repeated", "rollback.bet-after-rollback", "rollback.before-bet"},
        id="no-rollback-tombstone-token_query",
    ),
    pytest.param(
        "native",
        wallets.WrongFundsErrorLedger,
        {"bet.insufficient-funds", "bet.whole-balance", "concurrency.parallel-bets"},
        id="wrong-error-for-insufficient-funds",
    ),
    pytest.param(
        "native", wallets.ExpiredWinLedger, {"session.expired-accepts-win"}, id="win-refused-after-session-expiry"
    ),
]


@pytest.mark.parametrize(("dialect", "ledger", "aimed"), BROKEN)
async def test_a_broken_ledger_fails_exactly_its_checks(
    tmp_path: Path, dialect: str, ledger: type[Ledger], aimed: set[str]
) -> None:
    result = await run_suite(tmp_path, dialect, ledger=ledger)
    assert ids(result, Status.FAIL) == aimed, explain(result)
    assert ids(result, Status.SKIP) == NOT_EXPRESSIBLE[dialect]
    assert result.failed


async def test_a_wallet_that_accepts_any_signature_fails_the_signature_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def accept_anything(*args: object) -> None:
        return None

    monkeypatch.setattr(simulator.wallet.app, "_verify", accept_anything)
    result = await run_suite(tmp_path, "native")
    aimed = {"auth.signature-missing", "auth.signature-bad", "auth.signature-tampered", "auth.replay-window"}
    assert ids(result, Status.FAIL) == aimed, explain(result)
    tampered = next(r for r in result.results if r.id == "auth.signature-tampered")
    assert "saw accepted, balance 99.99 USD" in tampered.reason  # the cheaper bet went through
