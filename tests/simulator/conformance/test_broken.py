"""The suite can fail: wallets with one rule broken, each a real server, fail exactly the checks aimed at
their defect and pass every other."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator.wallet.app
from simulator.conformance.model import Status
from simulator.dialects.wallet_common import ReplyStore
from simulator.wallet.ledger import Ledger
from tests.fakes import wallets
from tests.simulator.conformance.conftest import DIALECTS, explain, ids, run_suite
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
        {"rollback.repeated", "rollback.bet-after-rollback", "rollback.before-bet", "win.after-rollback"},
        id="no-rollback-tombstone",
    ),
    pytest.param(
        "token_query",
        wallets.NoTombstoneLedger,
        {"rollback.repeated", "rollback.bet-after-rollback", "rollback.before-bet", "win.after-rollback"},
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
    pytest.param("native", wallets.WinCurrencyIgnoredLedger, {"win.wrong-currency"}, id="win-currency-ignored"),
    pytest.param(
        "md5_form", wallets.WinCurrencyIgnoredLedger, {"win.wrong-currency"}, id="win-currency-ignored-md5_form"
    ),
    pytest.param("native", wallets.WinAfterRollbackLedger, {"win.after-rollback"}, id="win-after-rollback-paid"),
    pytest.param(
        "token_query", wallets.WinAfterRollbackLedger, {"win.after-rollback"}, id="win-after-rollback-token_query"
    ),
    pytest.param("native", wallets.ForeignBetWinLedger, {"win.other-players-bet"}, id="win-for-another-players-bet"),
    pytest.param(
        "rsa_json", wallets.ForeignBetWinLedger, {"win.other-players-bet"}, id="win-for-another-players-bet-rsa_json"
    ),
    pytest.param("native", wallets.AnyTokenLedger, {"session.other-players-token"}, id="token-of-another-player"),
    pytest.param("native", wallets.FreeRoundCashLedger, {"bonus.provider-free-round"}, id="free-round-debits-cash"),
    pytest.param(
        "md5_form", wallets.FreeRoundCashLedger, {"bonus.provider-free-round"}, id="free-round-debits-cash-md5_form"
    ),
    pytest.param(
        "native",
        wallets.BonusWinTwiceLedger,
        {"bonus.campaign-total-once", "bonus.promo-reference-once", "bonus.jackpot-win-once"},
        id="bonus-win-credited-on-every-retry",
    ),
    pytest.param(
        "token_query",
        wallets.BonusWinTwiceLedger,
        {"bonus.campaign-total-once", "bonus.promo-reference-once", "bonus.jackpot-win-once"},
        id="bonus-win-credited-on-every-retry-token_query",
    ),
    pytest.param(
        "token_query", wallets.AnyTokenLedger, {"session.other-players-token"}, id="token-of-another-player-token_query"
    ),
]

# a wallet converting amounts through binary floats: in USD only the float check sees it; format.amount-scale sees
# it too in USDT and BTC, which rsa_json cannot carry
FLOAT_AIMED = {"format.binary-inexact-amounts", "format.amount-scale"}


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


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_wallet_converting_amounts_through_floats_fails_in_every_dialect(tmp_path: Path, dialect: str) -> None:
    result = await run_suite(tmp_path, dialect, ledger=wallets.FloatLedger)
    aimed = FLOAT_AIMED - {"format.amount-scale"} if dialect == "rsa_json" else FLOAT_AIMED
    assert ids(result, Status.FAIL) == aimed, explain(result)
    inexact = next(r for r in result.results if r.id == "format.binary-inexact-amounts")
    expected = "bet of 0.29 USD: expected accepted, balance 99.71 USD; saw accepted, balance 99.72"
    assert inexact.reason.startswith(expected), inexact.reason


async def test_a_wallet_converting_amounts_through_floats_fails_in_usd_alone(tmp_path: Path) -> None:
    """With the player in USD only (as an operator's players may all be), the large amounts still catch it."""
    result = await run_suite(tmp_path, "token_query", ledger=wallets.FloatLedger, only=("format.binary-*",))
    (inexact,) = result.results
    failed = [e.step for e in inexact.expectations if not e.ok]
    assert failed[:3] == ["bet of 0.29 USD", "bet of 0.57 USD", "bet of 1.15 USD"], explain(result)
    assert any(step.startswith("its win of 90") for step in failed), failed


async def test_a_negative_win_credited_as_a_debit_fails_its_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulator.wallet.app, "OperationRequest", wallets.LaxAmountRequest)
    result = await run_suite(tmp_path, "native", ledger=wallets.NegativeWinLedger)
    assert ids(result, Status.FAIL) == {"win.negative-amount"}, explain(result)


async def test_a_wallet_that_recognises_retries_by_request_id_alone_fails_the_retry_checks(tmp_path: Path) -> None:
    """Copies with the same request id are answered from memory, so only checks whose retries carry a new request
    id and the same transaction id (as real retries do) can see it."""
    result = await run_suite(
        tmp_path, "native", ledger=wallets.DoubleApplyLedger, middlewares=[wallets.request_id_memory()]
    )
    aimed = {
        "idem.duplicate-bet",
        "idem.duplicate-win",
        "retry.storm",
        "concurrency.duplicate-wins",
        "bonus.promo-jackpot-once",
        "bonus.promo-reference-once",  # a promotional payout is cash: paid again (a campaign total is bonus money)
        "bonus.jackpot-win-once",  # so is a jackpot win
    }
    assert ids(result, Status.FAIL) == aimed, explain(result)
    storm = next(r for r in result.results if r.id == "retry.storm")
    assert "20 different balances" in storm.reason or "balances in the accepted answers" in storm.reason, storm.reason


async def test_an_rsa_json_wallet_that_forgets_request_ids_applies_a_reused_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def forget(self: object, request_id: str) -> None:
        return None

    monkeypatch.setattr(ReplyStore, "get", forget)
    result = await run_suite(tmp_path, "rsa_json")
    assert ids(result, Status.FAIL) == {"idem.request-id-reuse"}, explain(result)
