"""Each dialect's own rules: code tables, reply parsing, signatures and request shapes."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from simulator.clock import ManualClock
from simulator.dialects import md5_form, native, rsa_json, token_query
from simulator.dialects.amounts import AmountNotRepresentable
from simulator.dialects.call import WalletCall
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.errors import WalletError, WalletProtocolError, WalletRefused
from tests.simulator.dialects.conftest import StandInSigner, make_rig

DIALECT_MODULES = [
    pytest.param(rsa_json, id="rsa_json"),
    pytest.param(md5_form, id="md5_form"),
    pytest.param(token_query, id="token_query"),
]
CLOCK = ManualClock()
BET = WalletCall("bet", "p-1", "tok-1", "USD", "tx-1", "r-1", "g-1", "s-1", 150)
WIN = WalletCall("win", "p-1", "tok-1", "USD", "tx-2", "r-1", "g-1", "s-1", 250, True, "tx-1")


def dialects() -> dict[str, Any]:
    return {
        "rsa_json": rsa_json.RsaJsonDialect("http://w/rsa", "k", StandInSigner(), CLOCK),
        "md5_form": md5_form.Md5FormDialect("http://w/md5", "k", b"secret", CLOCK),
        "token_query": token_query.TokenQueryDialect("http://w/tq", "k", b"secret", CLOCK),
    }


@pytest.mark.parametrize("module", DIALECT_MODULES)
def test_every_dialect_code_maps_to_a_native_code_and_back(module: ModuleType) -> None:
    for code, native_code in module.TO_NATIVE.items():
        assert native_code in native.ERROR_CODES, code
        assert module.TO_NATIVE[module.FROM_NATIVE[native_code]] == native_code
    for code in native.ERROR_CODES - {"INTERNAL_ERROR"}:
        assert code in module.FROM_NATIVE, f"{module.NAME} cannot express {code}"
    assert module.FROM_NATIVE["INTERNAL_ERROR"] in module.UNCERTAIN


def _reply(dialect: str, code: object, **fields: Any) -> bytes:
    key = {"rsa_json": "status", "md5_form": "error", "token_query": "status"}[dialect]
    return json.dumps({key: code, "currency": "USD"} | fields).encode()


OK_REPLIES = {
    "rsa_json": _reply("rsa_json", "RS_OK", balance=1_234_500),
    "md5_form": b'{"error":0,"currency":"USD","cash":12.345}',
    "token_query": _reply("token_query", "OK", balance="12.345"),
}
GOOD_REPLIES = {
    "rsa_json": _reply("rsa_json", "RS_OK", balance=1_234_000),
    "md5_form": b'{"error":0,"currency":"USD","cash":12.34}',
    "token_query": _reply("token_query", "OK", balance="12.34"),
}
UNCERTAIN = {"rsa_json": "RS_ERROR_UNKNOWN", "md5_form": 100, "token_query": "TEMPORARY_ERROR"}
REFUSED = {"rsa_json": "RS_ERROR_NOT_ENOUGH_MONEY", "md5_form": 1, "token_query": "INSUFFICIENT_FUNDS"}
NAMES = ["rsa_json", "md5_form", "token_query"]


@pytest.mark.parametrize("name", NAMES)
def test_a_good_reply_becomes_minor_units(name: str) -> None:
    reply = dialects()[name].parse(BET, 200, GOOD_REPLIES[name])
    assert (reply.balance, reply.currency) == (1234, "USD")


@pytest.mark.parametrize("name", NAMES)
def test_a_reply_finer_than_the_currency_is_a_protocol_error_never_rounded(name: str) -> None:
    with pytest.raises(WalletProtocolError):
        dialects()[name].parse(BET, 200, OK_REPLIES[name])


@pytest.mark.parametrize("name", NAMES)
def test_uncertain_codes_mean_unknown_outcome(name: str) -> None:
    with pytest.raises(WalletError) as caught:
        dialects()[name].parse(BET, 200, _reply(name, UNCERTAIN[name]))
    assert not isinstance(caught.value, WalletRefused)


@pytest.mark.parametrize("name", NAMES)
def test_refusals_carry_the_native_code(name: str) -> None:
    with pytest.raises(WalletRefused) as caught:
        dialects()[name].parse(BET, 200, _reply(name, REFUSED[name]))
    assert caught.value.code == "INSUFFICIENT_FUNDS"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        pytest.param(200, b'{"status": "NO_SUCH_CODE", "error": 999}', WalletProtocolError, id="unknown-code"),
        pytest.param(200, b"<html>", WalletProtocolError, id="not-json"),
        pytest.param(502, b"<html>bad gateway</html>", WalletError, id="5xx-html"),
        pytest.param(200, b"[1, 2]", WalletProtocolError, id="not-an-object"),
    ],
)
def test_unusable_replies(name: str, status: int, body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        dialects()[name].parse(BET, status, body)
    assert not isinstance(caught.value, WalletRefused)


@pytest.mark.parametrize("name", NAMES)
def test_a_reply_in_another_currency_is_a_protocol_error(name: str) -> None:
    body = GOOD_REPLIES[name].replace(b'"USD"', b'"EUR"')
    with pytest.raises(WalletProtocolError):
        dialects()[name].parse(BET, 200, body)


def test_md5_hash_recipe() -> None:
    params = {"userId": "p-1", "amount": "1.50", "bonusCode": "", "hash": "ignored", "gameId": "g"}
    expected = hashlib.md5(b"amount=1.50&gameId=g&userId=p-1" + b"secret", usedforsecurity=False).hexdigest()
    assert md5_form.digest(params, b"secret") == expected
    assert md5_form.hash_valid(params | {"hash": expected}, b"secret")
    assert not md5_form.hash_valid(params | {"hash": expected, "amount": "1.51"}, b"secret")


def test_md5_closing_win_is_result_then_end_round() -> None:
    request = dialects()["md5_form"].build(WIN)
    assert request.url.endswith("/result") and request.then is not None
    assert request.then.url.endswith("/endRound") and request.then.then is None
    fields = dict(parse_qsl(request.body.decode()))
    assert (fields["amount"], fields["reference"], fields["betReference"]) == ("2.50", "tx-2", "tx-1")
    zero = dialects()["md5_form"].build(
        WalletCall("win", "p-1", "t", "USD", "tx-3", "r-1", amount=0, round_closed=True)
    )
    assert zero.url.endswith("/endRound") and zero.then is None


def test_token_query_balance_is_check_then_balance_with_the_token_in_the_query() -> None:
    request = dialects()["token_query"].build(WalletCall("balance", "p-1", "sid-1", "USD"))
    assert urlsplit(request.url).path == "/tq/check"
    assert dict(parse_qsl(urlsplit(request.url).query)) == {"authToken": "secret"}
    assert request.then is not None and urlsplit(request.then.url).path == "/tq/balance"
    credit = json.loads(dialects()["token_query"].build(WIN).body)
    assert credit["transaction"] == {"id": "tx-2", "refId": "tx-1", "amount": "2.50"}


def test_rsa_json_request_id_is_stable_across_retries_and_fresh_for_enquiries() -> None:
    dialect = dialects()["rsa_json"]
    first, retry = json.loads(dialect.build(BET).body), json.loads(dialect.build(BET).body)
    assert first["request_id"] == retry["request_id"]
    assert first["amount"] == 150_000
    enquiry = WalletCall("balance", "p-1", "tok-1", "USD")
    assert (
        json.loads(dialect.build(enquiry).body)["request_id"] != json.loads(dialect.build(enquiry).body)["request_id"]
    )


@pytest.mark.parametrize("currency", ["BTC", "USDT"])
def test_rsa_json_refuses_currencies_it_cannot_carry_before_sending(currency: str) -> None:
    assert not rsa_json.supports(currency)
    with pytest.raises(AmountNotRepresentable):
        dialects()["rsa_json"].build(WalletCall("bet", "p", "t", currency, "tx", "r", amount=1000))


async def test_rsa_json_retry_is_answered_from_the_remembered_reply(tmp_path: Path) -> None:
    async with make_rig("rsa_json", tmp_path) as rig:
        player = await rig.player(100)
        bet = rig.call(player, "bet", 150)
        with pytest.raises(WalletRefused):
            await rig.send(bet)
        other = rig.call(player, "bet", 60)
        await rig.send(other)
        rig.clock.advance(30)  # a later retry carries a new sent_at and signature, and the same request id
        with pytest.raises(WalletRefused) as caught:
            await rig.send(bet)
        assert caught.value.code == "INSUFFICIENT_FUNDS"
        assert caught.value.extra == {"balance": 100}  # the remembered reply, not today's balance
        assert (await rig.send(other)).balance == 40


@pytest.mark.skipif(not rsa_keys.available(), reason="the cryptography package is not installed")
def test_rsa_signatures_verify_and_tampering_fails(tmp_path: Path) -> None:
    pair = rsa_keys.load_or_create(tmp_path)
    assert stat.S_IMODE(pair.private_path.stat().st_mode) == 0o600
    signer = rsa_keys.RsaSigner(pair.private_path.read_bytes())
    verifier = rsa_keys.RsaVerifier(pair.public_path.read_bytes())
    body = b'{"amount":150000}'
    signature = signer.sign(body)
    assert verifier.verify(body, signature)
    assert not verifier.verify(b'{"amount":150001}', signature)
    assert not verifier.verify(body, "not base64!")
    assert rsa_keys.load_or_create(tmp_path) == pair  # kept, not regenerated


@pytest.mark.skipif(not rsa_keys.available(), reason="the cryptography package is not installed")
def test_processes_starting_together_agree_on_one_rsa_pair(tmp_path: Path) -> None:
    """The workers of ``serve --workers`` and instances sharing a volume create the pair at the same moment: a process
    that finds no pair waits for the one generating it and takes its pair instead of writing another."""
    script = "import sys; from pathlib import Path; from simulator.dialects.rsa_json import keys as rsa_keys"
    script += "; print('ready', flush=True)"
    script += "; rsa_keys.load_or_create(Path(sys.argv[1]))"
    lock = os.open(tmp_path / rsa_keys.LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)  # this test is the process generating the pair
    with subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
            private_pem, public_pem = rsa_keys.generate()
            (tmp_path / rsa_keys.PRIVATE_FILE).write_bytes(private_pem)
            (tmp_path / rsa_keys.PUBLIC_FILE).write_bytes(public_pem)
        finally:
            os.close(lock)
        assert child.wait(timeout=120) == 0
    assert (tmp_path / rsa_keys.PRIVATE_FILE).read_bytes() == private_pem, "the waiting process wrote another pair"
    assert (tmp_path / rsa_keys.PUBLIC_FILE).read_bytes() == public_pem


def test_decimal_replies_parse_without_floats() -> None:
    reply = dialects()["md5_form"].parse(BET, 200, b'{"error":0,"currency":"USD","cash":0.29}')
    assert reply.balance == 29  # 0.29 as a float times 100 is 28.999999999999996
