"""Hypothesis against every dialect's reply parser and every signature verifier: whatever a wallet sends back, or
whatever arrives at a verifier, the outcome is a reply, a ``SimulatorError`` the round flow understands, or a
boolean; never another exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulator.clock import ManualClock
from simulator.dialects import md5_form
from simulator.dialects.call import WalletCall, WalletReply
from simulator.dialects.md5_form import Md5FormDialect
from simulator.dialects.native import NativeDialect, signature_valid
from simulator.dialects.protocol import Dialect
from simulator.dialects.rsa_json import RsaJsonDialect
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.dialects.token_query import TokenQueryDialect
from simulator.errors import SimulatorError

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
CLOCK = ManualClock()
SECRET = b"fuzz-secret"


def dialects() -> list[Any]:
    out: list[Any] = [
        pytest.param(NativeDialect("http://w", "k", SECRET, CLOCK), id="native"),
        pytest.param(Md5FormDialect("http://w", "k", SECRET, CLOCK), id="md5_form"),
        pytest.param(TokenQueryDialect("http://w", "k", SECRET, CLOCK), id="token_query"),
    ]
    if rsa_keys.available():
        private, _ = rsa_keys.generate()
        out.append(pytest.param(RsaJsonDialect("http://w", "k", rsa_keys.RsaSigner(private), CLOCK), id="rsa_json"))
    return out


CALLS = st.builds(
    WalletCall,
    operation=st.sampled_from(["balance", "bet", "win", "rollback"]),
    player_id=st.just("p1"),
    session_id=st.just("s1"),
    currency=st.sampled_from(["USD", "EUR", "JPY", "KWD"]),
    transaction_id=st.just("t1"),
    round_id=st.just("r1"),
    amount=st.integers(0, 10**9),
    reference_transaction_id=st.one_of(st.none(), st.just("t0")),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
REPLY_KEYS = [
    "balance",
    "currency",
    "transaction_id",
    "error",
    "status",
    "cash",
    "bonus",
    "code",
    "description",
    "request_uuid",
    "user",
    "transactionId",
    "message",
]
PLAUSIBLE = st.dictionaries(st.sampled_from(REPLY_KEYS), JSON_VALUES, max_size=8).map(lambda d: json.dumps(d).encode())
BODIES = st.one_of(st.binary(max_size=200), PLAUSIBLE)
STATUSES = st.sampled_from([200, 201, 204, 302, 400, 401, 402, 403, 404, 409, 429, 500, 502, 503])


@pytest.mark.parametrize("dialect", dialects())
def test_reply_parsers_never_crash(dialect: Dialect) -> None:
    @FUZZ
    @given(call=CALLS, status=STATUSES, body=BODIES)
    def check(call: WalletCall, status: int, body: bytes) -> None:
        try:
            reply = dialect.parse(call, status, body)
        except SimulatorError:
            return
        assert isinstance(reply, WalletReply)
        assert type(reply.balance) is int

    check()


ODD_REPLIES = [
    b'{"error": {"code": ["INSUFFICIENT_FUNDS"]}}',
    b'{"error": {"code": {"a": 1}}, "status": ["ERROR"]}',
    b'{"error": {"code": "INSUFFICIENT_FUNDS", "message": ["x"]}, "status": {"a": 1}}',
    b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser recurses
]


@pytest.mark.parametrize("dialect", dialects())
@pytest.mark.parametrize("body", ODD_REPLIES, ids=["list-code", "object-code", "list-message", "deep"])
@pytest.mark.parametrize("status", [200, 402, 500])
def test_odd_replies_are_wallet_errors_not_crashes(dialect: Dialect, body: bytes, status: int) -> None:
    call = WalletCall("bet", "p1", "s1", "USD", "t1", "r1", amount=100)
    with pytest.raises(SimulatorError):
        dialect.parse(call, status, body)


@FUZZ
@given(timestamp=st.text(max_size=20), body=st.binary(max_size=200), signature=st.text(max_size=80))
def test_native_signature_check_only_answers_true_or_false(timestamp: str, body: bytes, signature: str) -> None:
    assert signature_valid(SECRET, timestamp, body, signature) in (True, False)


@FUZZ
@given(params=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=8))
@example(params={"hash": "\u00e9"})  # a non-ASCII hash once raised from compare_digest
def test_md5_hash_check_only_answers_true_or_false(params: dict[str, str]) -> None:
    assert md5_form.hash_valid(params, SECRET) in (True, False)
    signed = dict(params)
    signed.pop("hash", None)
    signed["hash"] = md5_form.digest(signed, SECRET)
    assert md5_form.hash_valid(signed, SECRET) is True


@pytest.mark.skipif(not rsa_keys.available(), reason="the cryptography package is not installed")
def test_rsa_verifier_only_answers_true_or_false() -> None:
    private, public = rsa_keys.generate()
    signer, verifier = rsa_keys.RsaSigner(private), rsa_keys.RsaVerifier(public)

    @FUZZ
    @given(body=st.binary(max_size=200), signature=st.text(max_size=400))
    def check(body: bytes, signature: str) -> None:
        assert verifier.verify(body, signature) in (True, False)
        assert verifier.verify(body, signer.sign(body)) is True

    check()
