"""Odd replies are the wallet's defect, reported like any other: a code sent as a list or an object, a reply
that is a JSON array, number or string instead of an object. The checks name what was wrong in plain words, go
on judging their other samples, and none of them crashes.

The wallets are the reference wallet with its replies to bets rewritten on the way out (a middleware put in
front of every other), so everything but those replies stays correct."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler

from simulator.conformance.model import CheckResult, Status, SuiteResult
from simulator.wallet.app import create_wallet_app
from tests.simulator.conformance.conftest import explain, run_suite

Rewrite = Callable[[int, Any], tuple[int, Any]]  # (HTTP status, the reply as sent) -> what the wallet sends instead
BET_ROUTES = {"bet", "debit"}  # the last path segment of a bet in each dialect (token_query: debit)
CRASHED = "running the check"  # the step the runner records when a check raises


def odd_bet_replies(monkeypatch: pytest.MonkeyPatch, rewrite: Rewrite) -> None:
    """Wallets created from now on send ``rewrite`` of every reply they give to a bet."""

    @web.middleware
    async def odd(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.path.rsplit("/", 1)[-1] not in BET_ROUTES or not isinstance(response, web.Response):
            return response
        assert isinstance(response.body, bytes)
        status, reply = rewrite(response.status, json.loads(response.body))
        return web.Response(status=status, body=json.dumps(reply).encode(), content_type="application/json")

    def with_odd_replies(*args: Any, **kwargs: Any) -> web.Application:
        app = create_wallet_app(*args, **kwargs)
        app.middlewares.insert(0, odd)
        return app

    monkeypatch.setattr("tests.fakes.wallets.create_wallet_app", with_odd_replies)


def check(result: SuiteResult, check_id: str) -> CheckResult:
    return next(r for r in result.results if r.id == check_id)


def saw(result: CheckResult, step: str) -> str:
    (expectation,) = [e for e in result.expectations if e.step == step]
    assert not expectation.ok, expectation
    return expectation.saw


def assert_nothing_crashed(result: SuiteResult) -> None:
    crashed = [r.id for r in result.results for e in r.expectations if e.step == CRASHED]
    assert not crashed, explain(result)
    text = json.dumps(result.to_json())
    for raw in ("TypeError", "AttributeError", "unhashable", "has no attribute", "Traceback"):
        assert raw not in text, raw


CODE_FIELD = {"native": "error.code", "rsa_json": "status", "token_query": "status"}
ODD_CODES: dict[str, Callable[[object], object]] = {"list": lambda code: [code], "object": lambda code: {"code": code}}


@pytest.mark.parametrize("shape", list(ODD_CODES))
@pytest.mark.parametrize("dialect", list(CODE_FIELD))
async def test_a_code_that_is_a_list_or_an_object_is_named_and_no_check_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialect: str, shape: str
) -> None:
    wrap = ODD_CODES[shape]

    def rewrite(status: int, reply: Any) -> tuple[int, Any]:
        if dialect == "native":  # native says refusals with the HTTP status and the code in error.code
            if status >= 400:
                reply["error"]["code"] = wrap(reply["error"]["code"])
        else:
            reply["status"] = wrap(reply["status"])
        return status, reply

    odd_bet_replies(monkeypatch, rewrite)
    result = await run_suite(tmp_path, dialect)
    assert_nothing_crashed(result)
    schema = check(result, "format.reply-schema")
    assert schema.status is Status.FAIL
    message = f"{CODE_FIELD[dialect]} is {'a list' if shape == 'list' else 'an object'}, not a string code"
    assert message in saw(schema, "reply to the refused bet")
    if dialect != "native":  # every bet reply carries it: the first one did not stop the check
        assert message in saw(schema, "reply to the accepted bet")
    assert [e.step for e in schema.expectations if e.step.startswith("reply to")] == [
        "reply to the balance enquiry",
        "reply to the accepted bet",
        "reply to the refused bet",
    ]
    assert check(result, "bet.insufficient-funds").status is Status.FAIL  # unreadable: no refusal was read


NOT_OBJECTS: dict[str, tuple[Callable[[object], object], str]] = {
    "array": (lambda reply: [reply], "a JSON array"),
    "number": (lambda reply: 42, "a JSON number"),
    "string": (lambda reply: "OK", "a JSON string"),
}


@pytest.mark.parametrize("value", list(NOT_OBJECTS))
@pytest.mark.parametrize("dialect", ["native", "rsa_json", "token_query"])
async def test_a_reply_that_is_not_an_object_is_named_and_no_check_crashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialect: str, value: str
) -> None:
    replace, kind = NOT_OBJECTS[value]
    odd_bet_replies(monkeypatch, lambda status, reply: (status, replace(reply)))
    result = await run_suite(tmp_path, dialect)
    assert_nothing_crashed(result)
    echo = check(result, "format.request-id-echo")
    assert echo.status is Status.FAIL
    for sample in ("reply to the accepted bet", "reply to the refused bet"):  # the first did not stop the check
        assert f"the reply is {kind}, not an object" in saw(echo, sample)
    assert [e.ok for e in echo.expectations if e.step == "reply to the balance enquiry"] == [True]  # untouched
    schema = check(result, "format.reply-schema")
    assert f"the reply is {kind}, not an object" in saw(schema, "reply to the refused bet")
