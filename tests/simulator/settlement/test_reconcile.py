"""The comparison itself: records in, differences out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.settlement.reconcile import (
    LedgerFileError,
    ProviderRecord,
    RoundState,
    WalletRecord,
    parse_ledger_file,
    reconcile,
)


def p(txid: str, kind: str = "bet", amount: int = 100, status: str = "acked", **fields: Any) -> ProviderRecord:
    values: dict[str, Any] = dict(
        transaction_id=txid,
        kind=kind,
        player_id="p1",
        round_id="r1",
        currency="USD",
        amount=amount,
        status=status,
    )
    return ProviderRecord(**(values | fields))


def w(txid: str, kind: str = "bet", amount: int = 100, **fields: Any) -> WalletRecord:
    values: dict[str, Any] = dict(
        transaction_id=txid, kind=kind, player_id="p1", round_id="r1", currency="USD", amount=amount
    )
    return WalletRecord(**(values | fields))


ROUND = [p("b1"), p("w1", "win", 250, reference_transaction_id="b1")]
LEDGER = [w("b1"), w("w1", "win", 250, reference_transaction_id="b1")]


def test_agreeing_logs_have_no_differences() -> None:
    report = reconcile(ROUND, [*LEDGER, w("deposit:p1", "deposit", 1000, round_id="")])
    assert (report.matched, report.differences, report.wallet_entries) == (2, 0, 2)
    assert report.to_text().endswith("no differences")


@pytest.mark.parametrize(
    ("provider", "wallet", "expected"),
    [
        pytest.param(ROUND, LEDGER[:1], {"missing": ["w1"]}, id="acknowledged-win-not-in-ledger"),
        pytest.param(ROUND[:1], LEDGER, {"extra": ["w1"]}, id="entry-never-logged"),
        pytest.param(
            [ROUND[0], p("w1", "win", 250, status="refused")],
            LEDGER,
            {"extra": ["w1"]},
            id="refused-yet-applied",
        ),
        pytest.param(
            ROUND,
            [LEDGER[0], w("w1", "win", 260, reference_transaction_id="b1")],
            {"mismatched": ["w1"]},
            id="amount",
        ),
        pytest.param(
            ROUND,
            [LEDGER[0], w("w1", "win", 250, reference_transaction_id="b1", player_id="p2")],
            {"mismatched": ["w1"]},
            id="player",
        ),
        pytest.param(
            ROUND,
            [LEDGER[0], w("w1", "bet", 250, reference_transaction_id="b1")],
            {"mismatched": ["w1"]},
            id="kind",
        ),
        pytest.param(ROUND, [*LEDGER, LEDGER[1]], {"mismatched": ["w1"]}, id="applied-twice"),
        pytest.param(
            [p("b1", status="failed"), p("rb1", "rollback", reference_transaction_id="b1")],
            [w("b1"), w("rb1", "rollback", 100, reference_transaction_id="b1")],
            {},
            id="rollback-refund",
        ),
        pytest.param(
            [p("b1", status="failed"), p("rb1", "rollback", reference_transaction_id="b1")],
            [w("rb1", "rollback", 0, reference_transaction_id="b1")],
            {},
            id="rollback-tombstone",
        ),
        pytest.param(
            [p("b1", status="failed"), p("rb1", "rollback", reference_transaction_id="b1")],
            [w("rb1", "rollback", 100, reference_transaction_id="b1")],
            {"mismatched": ["rb1"]},
            id="refund-without-a-bet",
        ),
        pytest.param(
            [p("b1", status="failed"), p("rb1", "rollback", reference_transaction_id="b1")],
            [w("b1"), w("rb1", "rollback", 0, reference_transaction_id="b1")],
            {"mismatched": ["rb1"]},
            id="bet-kept",
        ),
        pytest.param(
            [
                p("b1", status="failed"),
                p("rb1", "rollback", reference_transaction_id="b1", last_error="TRANSACTION_NOT_FOUND"),
            ],
            [],
            {},
            id="rollback-the-wallet-had-nothing-for",
        ),
        pytest.param([p("b1", status="refused")], [], {}, id="refused-bet"),
        pytest.param(
            [ROUND[0], p("w1", "win", 0, reference_transaction_id="b1")],
            LEDGER[:1],
            {},
            id="zero-win-closed-without-an-entry",
        ),
        pytest.param(
            [ROUND[0], p("w1", "win", 0, reference_transaction_id="b1")],
            [LEDGER[0], w("w1", "win", 5, reference_transaction_id="b1")],
            {"mismatched": ["w1"]},
            id="zero-win-recorded-as-money",
        ),
        pytest.param(
            [p("b1", status="pending"), p("w1", "win", status="abandoned")],
            [w("w1", "win")],
            {},
            id="unknown-fates-are-not-differences",
        ),
    ],
)
def test_differences(
    provider: list[ProviderRecord], wallet: list[WalletRecord], expected: dict[str, list[str]]
) -> None:
    report = reconcile(provider, wallet)
    found = {
        name: [d.transaction_id for d in getattr(report, name)]
        for name in ("missing", "extra", "mismatched")
        if getattr(report, name)
    }
    assert found == expected
    assert report.differences == sum(len(v) for v in expected.values())


def test_late_transactions_are_not_extra() -> None:
    assert reconcile(ROUND[:1], LEDGER, late=["w1"]).differences == 0


def test_open_rounds_show_what_the_wallet_holds() -> None:
    provider = [
        p("b1"),
        p("w1", "win", status="abandoned", reference_transaction_id="b1"),
        p("b2", round_id="r2", status="pending"),
        p("b3", round_id="r3"),
        p("w3", "win", round_id="r3", status="refused"),
    ]
    rounds = [
        RoundState("r1", "p1", "manual"),
        RoundState("r2", "p1", "open"),
        RoundState("r3", "p1", "manual"),
        RoundState("r4", "p1", "closed"),
    ]
    report = reconcile(provider, [w("b1"), w("w1", "win"), w("b3", round_id="r3")], rounds)
    assert report.differences == 0
    assert [(r.round_id, [(u.transaction_id, u.in_wallet) for u in r.unsettled]) for r in report.open_rounds] == [
        ("r1", [("w1", True)]),
        ("r2", [("b2", False)]),
        ("r3", [("w3", False)]),
    ]
    as_json = report.to_json()
    assert as_json["open_rounds"][0]["unsettled"][0]["status"] == "abandoned"
    assert "w1 abandoned (in wallet)" in report.to_text()


def test_text_report_lists_a_bounded_number() -> None:
    report = reconcile([], [w(f"x{i}") for i in range(30)])
    text = report.to_text(listed=5)
    assert "... and 25 more extra" in text and text.endswith("30 differences")


def test_csv_ledger_files() -> None:
    text = (
        "transaction_id,kind,player_id,round_id,amount,currency,reference_transaction_id,note\n"
        "b1,bet,p1,r1,100,USD,,anything\n"
        "w1,win,p1,r1,250,USD,b1,\n"
        "d1,deposit,p1,,1000,USD,,\n"
    )
    records = parse_ledger_file(text, "csv")
    assert records[:2] == LEDGER
    assert records[2].kind == "deposit"


def test_json_ledger_files() -> None:
    rows = [
        {
            "transaction_id": "b1",
            "kind": "bet",
            "player_id": "p1",
            "round_id": "r1",
            "amount": 100,
            "currency": "USD",
        }
    ]
    assert parse_ledger_file(json.dumps(rows), "json") == [w("b1")]
    assert parse_ledger_file(json.dumps({"entries": rows, "next_after": 1}), "json") == [w("b1")]


@pytest.mark.parametrize(
    ("text", "file_format", "message"),
    [
        pytest.param("transaction_id,kind\nb1,bet\n", "csv", "header lacks", id="columns"),
        pytest.param(
            "transaction_id,kind,player_id,round_id,amount,currency\nb1,bet,p1,r1,1.50,USD\n",
            "csv",
            "line 2: amount '1.50'",
            id="decimal-amount",
        ),
        pytest.param(
            "transaction_id,kind,player_id,round_id,amount,currency\nb1,bet,,r1,1,USD\n",
            "csv",
            "player_id is missing",
            id="empty-cell",
        ),
        pytest.param("[{", "json", "not valid JSON", id="json"),
        pytest.param("[" * 5000 + "]" * 5000, "json", "not valid JSON: arrays and objects are nested", id="nested"),
        pytest.param('{"rows": []}', "json", "a list of entries", id="shape"),
        pytest.param(
            '[{"transaction_id": "b1", "kind": "bet", "player_id": "p1", "round_id": "r1",'
            ' "amount": 1.0, "currency": "USD"}]',
            "json",
            "entry 0: amount",
            id="float",
        ),
        pytest.param(
            '[{"transaction_id": 7, "kind": "bet", "player_id": "p1", "round_id": "r1",'
            ' "amount": 1, "currency": "USD"}]',
            "json",
            "must be text",
            id="number-id",
        ),
    ],
)
def test_bad_ledger_files_say_where(text: str, file_format: str, message: str) -> None:
    with pytest.raises(LedgerFileError, match=message):
        parse_ledger_file(text, file_format)  # type: ignore[arg-type]


def test_the_documented_csv_example_parses() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "settlement.md").read_text()
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    records = parse_ledger_file(example, "csv")
    assert [r.kind for r in records] == ["bet", "win", "rollback", "bet"]
    rollback, bet = records[2], records[3]
    report = reconcile(
        [
            p(
                r.transaction_id,
                r.kind,
                r.amount,
                round_id=r.round_id,
                player_id="player-1",
                reference_transaction_id=r.reference_transaction_id,
                status="failed" if r is bet else "acked",
            )
            for r in records
        ],
        [*records[:2], rollback, bet],
    )
    assert report.differences == 0
