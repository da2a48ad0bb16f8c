"""Property-based fuzzing of every documented route with schemathesis: whatever the generator sends, the server
answers without a 5xx, with a documented status, content type and a body that matches the OpenAPI document.

The sweep over every route runs with ``auth = false`` on loopback: it fuzzes input handling, and with auth on
nearly every case would stop at the 401 before reaching a handler. A second, smaller sweep keeps auth on and signs
every generated operator request (``SignedRequests``), checking that the signature recipe holds for whatever path,
query and body the generator makes (none is refused as unsigned or wrongly signed) and that the handlers behind
the check hold up too."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import APIOperation, Case, checks

from simulator.app import create_app
from simulator.auth.client import ClientAuth
from simulator.auth.keys import load_auth_keys
from simulator.openapi import build_openapi
from simulator.settings import Settings
from tests.live_server import LiveServer, SignedRequests


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    with LiveServer(Settings(data_dir=data, port=0, catalog_change_interval=0, auth=False)) as server:
        yield server.url


@pytest.fixture(scope="module")
def signed_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, requests.Session]]:
    data: Path = tmp_path_factory.mktemp("fuzz-signed") / "data"
    settings = Settings(data_dir=data, port=0, catalog_change_interval=0)
    with LiveServer(settings) as server, requests.Session() as session:
        keys = load_auth_keys(settings)
        session.auth = SignedRequests(ClientAuth(keys.first_key(), keys.admin_token))
        yield server.url, session


def _document() -> dict[str, Any]:
    """The document of an app that is built but never started: routes exist before startup."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), port=0))
        document, undocumented = build_openapi(app, title="casino-provider-simulator", version="fuzz")
    assert not undocumented
    return document


SCHEMA = schemathesis.openapi.from_dict(_document())
# what the document promises: no server error, only documented statuses and content types, bodies that match their
# schemas, and schema-invalid input refused. Not "every schema-valid request succeeds": a well-formed launch for an
# unknown player is meant to get its documented 4xx.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
# registering a webhook endpoint makes the server POST to whatever URL the generator wrote: those two routes are
# tested with loopback receivers only (tests/simulator/webhooks/), never swept here
OUTBOUND = {("PUT", "/admin/webhooks/{endpoint_id}"), ("POST", "/admin/webhooks/{endpoint_id}/test")}
OPERATIONS = [
    op
    for op in (result.ok() for result in SCHEMA.get_all_operations())  # type: ignore[union-attr]
    if (op.method.upper(), op.path) not in OUTBOUND
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_server_error_and_responses_match_the_document(
    operation: APIOperation[Any, Any, Any, Any], live_url: str
) -> None:
    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def check(case: Case[Any]) -> None:
        response = case.call(base_url=live_url, timeout=30)
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text)
        case.validate_response(response, checks=CHECKS)

    check()


SIGNED = [op for op in OPERATIONS if op.path.startswith(("/v1/", "/v2/"))]


@pytest.mark.parametrize("operation", SIGNED, ids=[op.label for op in SIGNED])
def test_signed_operator_requests_are_accepted_whatever_they_carry(
    operation: APIOperation[Any, Any, Any, Any], signed_session: tuple[str, requests.Session]
) -> None:
    url, session = signed_session

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=5,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def check(case: Case[Any]) -> None:
        response = case.call(base_url=url, session=session, timeout=30)
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text)
        assert response.status_code != 401, (case.method, case.formatted_path, response.text)
        case.validate_response(response, checks=CHECKS)

    check()
