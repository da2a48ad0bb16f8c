"""The suite's parts on their own: the registry, players from the command line and from files, the
redaction, and the wire edits of each dialect."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from simulator.clock import ManualClock
from simulator.conformance.errors import SetupError
from simulator.conformance.players import load_players, parse_player
from simulator.conformance.redact import REDACTED, Redactor
from simulator.conformance.registry import GROUPS, all_checks, select
from simulator.conformance.wire import HUGE, Keys, make_wire
from simulator.dialects import md5_form, native, rsa_json, token_query
from simulator.dialects.call import WalletCall
from tests.simulator.dialects.conftest import StandInSigner

DOCS = Path(__file__).resolve().parents[3] / "docs" / "conformance.md"
BET = WalletCall("bet", "p-1", "tok-123456", "USD", "tx-1", "r-1", "g-1", "s-1", 150)


def test_the_registry_has_at_least_thirty_checks_with_unique_ids_by_group() -> None:
    checks = all_checks()
    assert len(checks) >= 30
    assert len({c.id for c in checks}) == len(checks)
    assert [c.group for c in checks] == sorted((c.group for c in checks), key=list(GROUPS).index)
    assert all(c.title and len(c.why) > 60 for c in checks)
    assert {c.group for c in checks} == set(GROUPS)


def test_select_by_glob() -> None:
    assert {c.id for c in select(["rollback.*", "bet.exact-debit"])} >= {"rollback.repeated", "bet.exact-debit"}
    with pytest.raises(SetupError, match="no check matches"):
        select(["nothing.*"])


def test_the_docs_list_every_check_with_its_title() -> None:
    text = DOCS.read_text()
    listed = [line.split("`")[1] for line in text.splitlines() if line.startswith("| `") and "." in line.split("`")[1]]
    assert listed == [c.id for c in all_checks()]


def test_players_from_the_command_line() -> None:
    player = parse_player("p-1:tok:en:with:colons:eur")
    assert (player.player_id, player.token, player.currency, player.role) == (
        "p-1",
        "tok:en:with:colons",
        "EUR",
        "standard",
    )
    for bad in ("p-1", "p-1:tok", ":tok:USD", "p-1:tok:XXX"):
        with pytest.raises(SetupError):
            parse_player(bad)
    assert "tok" not in repr(player)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_players_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"players{suffix}"
    if suffix == ".json":
        entries = [
            {"id": "a", "token": "t1", "currency": "USD", "expired_token": "old"},
            {"id": "b", "token": "t2", "currency": "EUR", "role": "bonus", "campaign_id": "spring"},
            {"id": "c", "token": "t3", "currency": "EUR", "role": "limited", "limited_bet": 5000},
        ]
        path.write_text(json.dumps({"players": entries}))
    else:
        path.write_text(
            '[[players]]\nid = "a"\ntoken = "t1"\ncurrency = "USD"\nexpired_token = "old"\n'
            '[[players]]\nid = "b"\ntoken = "t2"\ncurrency = "EUR"\nrole = "bonus"\ncampaign_id = "spring"\n'
            '[[players]]\nid = "c"\ntoken = "t3"\ncurrency = "EUR"\nrole = "limited"\nlimited_bet = 5000\n'
        )
    a, b, c = load_players(path)
    assert (a.expired_token, b.campaign_id, c.limited_bet) == ("old", "spring", 5000)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{}", "non-empty list", id="empty"),
        pytest.param('{"players": [{"id": "a", "token": "t"}]}', "`currency` is required", id="no-currency"),
        pytest.param('{"players": [{"id": "a", "token": "t", "currency": "USD", "x": 1}]}', "unknown", id="extra"),
        pytest.param('{"players": [{"id": "a", "token": "t", "currency": "USD", "role": "bonus"}]}', "campaign_id"),
        pytest.param('{"players": [{"id": "a", "token": "t", "currency": "USD", "role": "vip"}]}', "role must"),
        pytest.param("not json", "not valid", id="syntax"),
    ],
)
def test_bad_players_files_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "players.json"
    path.write_text(content)
    with pytest.raises(SetupError, match=message):
        load_players(path)


def test_redaction_by_name_and_by_value() -> None:
    redactor = Redactor(["s3cret-value"])
    redactor.add("tok-123456")
    text = redactor.text('{"sid":"abc","session_id": "x\\"y","note":"tok-123456 and s3cret-value","n":1}')
    assert "abc" not in text and 'x\\"y' not in text and "tok-123456" not in text and "s3cret" not in text
    assert json.loads(text)["n"] == 1
    form = redactor.text("userId=p&token=tok%2B1&hash=ab12&amount=1.00")
    assert form == f"userId=p&token={REDACTED}&hash={REDACTED}&amount=1.00"
    assert redactor.text("http://w/debit?authToken=s3cret-value&x=1") == f"http://w/debit?authToken={REDACTED}&x=1"
    headers = redactor.headers({"X-Casino-Sim-Signature": "sha256=ff", "X-Casino-Sim-Key": "casino-sim"})
    assert headers == {"X-Casino-Sim-Signature": REDACTED, "X-Casino-Sim-Key": "casino-sim"}


def _wires() -> dict[str, object]:
    clock = ManualClock()
    return {
        "native": make_wire("native", "http://w", Keys("k", secret=b"secret"), clock),
        "rsa_json": make_wire("rsa_json", "http://w", Keys("k", signer=StandInSigner()), clock),
        "md5_form": make_wire("md5_form", "http://w", Keys("k", secret=b"secret"), clock),
        "token_query": make_wire("token_query", "http://w", Keys("k", secret=b"secret"), clock),
    }


def _authentic(name: str, request: object) -> bool:
    from simulator.dialects.call import WalletRequest

    assert isinstance(request, WalletRequest)
    if name == "native":
        headers = request.headers
        signature = headers.get(native.SIGNATURE_HEADER, "")
        return native.signature_valid(b"secret", headers[native.TIMESTAMP_HEADER], request.body, signature)
    if name == "rsa_json":
        return StandInSigner().verify(request.body, request.headers.get(rsa_json.SIGNATURE_HEADER, ""))
    if name == "md5_form":
        from urllib.parse import parse_qsl

        return md5_form.hash_valid(dict(parse_qsl(request.body.decode())), b"secret")
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(request.url).query).get(token_query.TOKEN_PARAM) == ["secret"]


@pytest.mark.parametrize("name", ["native", "rsa_json", "md5_form", "token_query"])
def test_wire_edits_break_or_keep_the_authentication(name: str) -> None:
    from simulator.conformance.wire import Wire

    wire = _wires()[name]
    assert isinstance(wire, Wire)
    built = wire.build(BET)
    assert _authentic(name, built)
    assert not _authentic(name, wire.unsigned(built))
    assert not _authentic(name, wire.wrongly_signed(built))
    resigned = wire.with_amount(built, wire.wire_amount("negative", 150, "USD"))
    assert _authentic(name, resigned) and wire.amount(resigned) in (-150, -150_000, "-1.50")
    tampered = wire.with_amount(built, wire.amount(wire.build(dataclasses.replace(BET, amount=1))), sign=False)
    assert _authentic(name, tampered) == (name == "token_query")  # token_query signs no body
    assert wire.wire_amount("finer", 150, "USD") in (150.5, 150_001, "1.501")
    assert wire.wire_amount("huge", 150, "USD") in (HUGE, HUGE * 1000, f"{HUGE // 100}.00")
    if "request_id" not in wire.MISSING:
        assert wire.request_id(wire.renewed(built)) != wire.request_id(built)
        assert _authentic(name, wire.renewed(built))


DECIMAL_REPLY = {
    "token_query": ("balance", '{{"status": "OK", "balance": {}, "currency": "USD"}}'),
    "md5_form": ("cash", '{{"error": 0, "description": "", "cash": {}, "currency": "USD"}}'),
}


@pytest.mark.parametrize(
    ("name", "amount", "exact"),
    [
        pytest.param("token_query", "1e999999", True, id="token_query-exponent-past-the-context"),
        pytest.param("md5_form", "1e999999999", True, id="md5_form-exponent-past-the-context"),
        pytest.param("token_query", "1e-999999999", False, id="token_query-tiny"),
        pytest.param("md5_form", "100.00000000000000000000000000000001", False, id="md5_form-digit-35"),
        pytest.param("token_query", '"100.00000000000000000000000000000001"', False, id="token_query-digit-35"),
        pytest.param("token_query", '"100.00000000000000000000000000000000"', True, id="token_query-zeros"),
        pytest.param("md5_form", "12.50", True, id="md5_form-cents"),
    ],
)
def test_decimal_amounts_in_replies_are_judged_digit_by_digit(name: str, amount: str, exact: bool) -> None:
    """Whatever its exponent or length, an amount is exact at the currency's scale or named as not: never a
    decimal overflow, never digits rounded away by the decimal context."""
    from simulator.conformance.wire import Wire

    wire = _wires()[name]
    assert isinstance(wire, Wire)
    field, reply = DECIMAL_REPLY[name]
    problems = wire.reply_problems(BET, 200, reply.format(amount).encode())
    assert (not any(p.startswith(field) for p in problems)) == exact, problems


def test_an_aged_request_carries_the_old_time() -> None:
    wire = _wires()["native"]
    from simulator.conformance.wire import Wire

    assert isinstance(wire, Wire)
    now = int(wire.build(BET).headers[native.TIMESTAMP_HEADER])
    assert int(wire.build(BET, age=3600).headers[native.TIMESTAMP_HEADER]) == now - 3600


def test_keys_never_show_their_secret() -> None:
    assert "secret-material" not in repr(Keys("k", secret=b"secret-material", private_key=b"PEM"))


def test_the_players_file_example_in_the_docs_loads(tmp_path: Path) -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    path = tmp_path / "players.toml"
    path.write_text(example)
    roles = [p.role for p in load_players(path)]
    assert roles == ["standard", "standard", "blocked", "limited", "bonus"]


def test_the_readme_counts_the_checks() -> None:
    readme = (DOCS.parents[1] / "README.md").read_text()
    assert f"({len(all_checks())} of\nthem" in readme or f"({len(all_checks())} of them" in readme


def test_the_docs_map_every_rule_to_checks_that_exist_and_every_check_to_a_rule() -> None:
    text = DOCS.read_text()
    section = text.split("## What the docs promise, and the check that holds each", 1)[1].split("\n## ", 1)[0]
    checked, unchecked = section.split("Not checked, and why:", 1)
    rows = [line for line in checked.splitlines() if line.startswith("| ") and not line.startswith("| rule")]
    known = {c.id for c in all_checks()}
    named: set[str] = set()
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if set(cells[0]) <= {"-"}:
            continue
        ids = set(re.findall(r"`([a-z]+\.[a-z0-9-]+)`", cells[-1]))
        assert ids and ids <= known, row  # every rule names checks, and only checks that exist
        named |= ids
    assert named == known  # and every check holds some rule
    assert unchecked.count("\n| ") >= 3  # the rules left unchecked are listed with a reason
