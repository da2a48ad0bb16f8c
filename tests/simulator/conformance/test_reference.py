"""The reference wallet passes every check in every dialect; the few a dialect cannot express are skipped
with the dialect's reason."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from simulator.conformance.model import Status
from simulator.conformance.registry import all_checks
from simulator.conformance.runner import run
from tests.fakes.wallets import wallet_under_test
from tests.simulator.conformance.conftest import explain, ids, run_suite

NOT_EXPRESSIBLE = {
    "native": {"idem.request-id-reuse"},
    "rsa_json": set(),
    "groove": {
        "auth.replay-window",
        "idem.request-id-replay",
        "idem.request-id-reuse",
        "format.request-id-echo",
        "bet.wrong-currency",
        "win.wrong-currency",
        "win.unknown-bet",
        "win.negative-amount",
        "win.after-rollback",
        "win.other-players-bet",
        "round.closed-refuses",
    },
    "hub88": {"auth.replay-window", "rollback.after-win", "round.zero-win-closes", "round.closed-refuses"},
    "md5_form": {"idem.request-id-replay", "idem.request-id-reuse", "format.request-id-echo"},
    "token_query": {
        "idem.request-id-reuse",
        "auth.signature-tampered",
        "auth.replay-window",
    },
}


@pytest.mark.parametrize("dialect", list(NOT_EXPRESSIBLE))
async def test_the_reference_wallet_passes_every_check(tmp_path: Path, dialect: str) -> None:
    result = await run_suite(tmp_path, dialect)
    assert ids(result, Status.FAIL) == set(), explain(result)
    assert ids(result, Status.SKIP) == NOT_EXPRESSIBLE[dialect], explain(result)
    assert len(result.results) == len(all_checks()) >= 30
    for check in result.results:
        if check.status is Status.SKIP:
            assert dialect in check.reason  # the dialect says why it cannot express the check
        else:
            assert check.expectations and check.exchanges, check.id
            assert all(e.ok for e in check.expectations)


async def test_a_wallet_that_rejects_unknown_rollbacks_passes_when_it_declares_so(tmp_path: Path) -> None:
    result = await run_suite(tmp_path, "native", unknown_rollback="reject")
    assert ids(result, Status.FAIL) == set(), explain(result)


async def test_a_policy_the_wallet_does_not_follow_fails_the_policy_checks(tmp_path: Path) -> None:
    async with wallet_under_test(tmp_path, "native", unknown_rollback="accept") as wallet:
        declared = dataclasses.replace(wallet.options, unknown_rollback="reject")
        result = await run(declared, clock=wallet.clock, advance_clock=wallet.clock.advance)
    assert ids(result, Status.FAIL) == {"rollback.unknown-transaction", "rollback.before-bet"}, explain(result)
