"""The webhook endpoints in force: those of the settings, and those an admin registered at run time
(``/admin/webhooks``), kept in the ``webhook_endpoints`` table so that a restart and the other processes on the same
database know them too (they read the table again every ``REFRESH`` seconds). Settings endpoints cannot be changed
or removed through the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping

from simulator.errors import Conflict, NotFound
from simulator.settings import WebhookEndpointSettings
from simulator.store.database import Database

MIGRATIONS = (
    (
        "CREATE TABLE IF NOT EXISTS webhook_endpoints (endpoint_id TEXT PRIMARY KEY, config TEXT NOT NULL,"
        " updated_at {real} NOT NULL)",
    ),
)
REFRESH = 10.0  # seconds between reads of the table by a process that changed nothing


def _config(endpoint: WebhookEndpointSettings) -> str:
    keys = [{"key_id": k.key_id, "secret": k.secret.get_secret_value()} for k in endpoint.keys]
    return json.dumps({"url": endpoint.url, "events": list(endpoint.events), "keys": keys}, sort_keys=True)


class WebhookRegistry(Mapping[str, WebhookEndpointSettings]):
    def __init__(self, db: Database, configured: Mapping[str, WebhookEndpointSettings]) -> None:
        self._db = db
        self._configured = dict(configured)
        self._registered: dict[str, WebhookEndpointSettings] = {}
        self._read_at: float | None = None
        self._listeners: list[Callable[[], None]] = []

    def __getitem__(self, endpoint_id: str) -> WebhookEndpointSettings:
        if endpoint_id in self._configured:
            return self._configured[endpoint_id]
        return self._registered[endpoint_id]

    def __iter__(self) -> Iterator[str]:
        yield from self._configured
        yield from (k for k in self._registered if k not in self._configured)

    def __len__(self) -> int:
        return len(set(self._configured) | set(self._registered))

    def configured(self, endpoint_id: str) -> bool:
        return endpoint_id in self._configured

    def on_first_endpoint(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` once there is an endpoint (now, if there is one already)."""
        if len(self):
            listener()
        else:
            self._listeners.append(listener)

    def _changed(self) -> None:
        if len(self):
            listeners, self._listeners = self._listeners, []
            for listener in listeners:
                listener()

    async def migrate(self) -> None:
        await self._db.migrate("webhook_endpoints", MIGRATIONS)

    async def load(self, now: float) -> None:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT endpoint_id, config FROM webhook_endpoints")
        self._registered = {
            str(r["endpoint_id"]): WebhookEndpointSettings.model_validate(json.loads(r["config"])) for r in rows
        }
        self._read_at = now
        self._changed()

    async def refresh(self, now: float) -> None:
        if self._read_at is None or now - self._read_at >= REFRESH or now < self._read_at:
            await self.load(now)

    async def register(self, endpoint_id: str, endpoint: WebhookEndpointSettings, now: float) -> bool:
        """Add or replace a run-time endpoint; true when it is new."""
        if endpoint_id in self._configured:
            raise Conflict(f"webhook endpoint {endpoint_id!r} comes from the settings; change it there")
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE webhook_endpoints SET config = ?, updated_at = ? WHERE endpoint_id = ?",
                _config(endpoint),
                now,
                endpoint_id,
            )
            if not changed:
                await tx.execute(
                    "INSERT INTO webhook_endpoints (endpoint_id, config, updated_at) VALUES (?, ?, ?)",
                    endpoint_id,
                    _config(endpoint),
                    now,
                )
        self._registered[endpoint_id] = endpoint
        self._changed()
        return not changed

    async def remove(self, endpoint_id: str) -> None:
        if endpoint_id in self._configured:
            raise Conflict(f"webhook endpoint {endpoint_id!r} comes from the settings; remove it there")
        async with self._db.transaction() as tx:
            removed = await tx.execute("DELETE FROM webhook_endpoints WHERE endpoint_id = ?", endpoint_id)
        self._registered.pop(endpoint_id, None)
        if not removed:
            raise NotFound(f"no webhook endpoint {endpoint_id!r} registered", code="UNKNOWN_WEBHOOK")
