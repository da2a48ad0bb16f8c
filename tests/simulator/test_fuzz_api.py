"""Property-based fuzzing of every documented route with schemathesis: whatever the generator sends, the server
answers without a 5xx, with a documented status, content type and a body that matches the OpenAPI document."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import APIOperation, Case, checks

from simulator.app import create_app
from simulator.openapi import build_openapi
from simulator.settings import Settings
from tests.harness import running_sim


class LiveServer:
    """The simulator on its own event loop in a thread, because schemathesis calls it synchronously."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.url = ""
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        async with running_sim(self._settings) as sim:
            self.url = sim.url
            self._stop = asyncio.Event()
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(60):
            raise RuntimeError("simulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)
        self._loop.close()


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    with LiveServer(Settings(data_dir=data, port=0, catalog_change_interval=0)) as server:
        yield server.url


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
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]


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
