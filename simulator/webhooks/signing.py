"""The webhook signature, for the sender and for any receiver (docs/webhooks.md shows the same recipe).

Each delivery carries ``Webhook-Id`` (the event id, the same on every retry), ``Webhook-Timestamp`` (integer Unix
time of this attempt) and ``Webhook-Signature``: ``<key_id>=<hex>`` for each of the endpoint's keys, comma-separated,
where ``hex`` is HMAC-SHA256 with the key's secret over ``timestamp + "." + event_id + "." + body`` (raw body bytes).
Two keys during a rotation: the receiver accepts the delivery when any signature matches a secret it holds.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

ID_HEADER = "Webhook-Id"
TIMESTAMP_HEADER = "Webhook-Timestamp"
SIGNATURE_HEADER = "Webhook-Signature"
TYPE_HEADER = "Webhook-Event"


def signature(secret: str, timestamp: str, event_id: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + event_id.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(keys: Mapping[str, str], timestamp: str, event_id: str, body: bytes) -> str:
    """``keys``: key id -> secret."""
    return ",".join(f"{key_id}={signature(secret, timestamp, event_id, body)}" for key_id, secret in keys.items())


def verify(
    headers: Mapping[str, str], body: bytes, secrets: Mapping[str, str], *, now: float, window: float = 300
) -> str | None:
    """Why a delivery is not authentic, or ``None`` when it is: a signature of a known key matches and the timestamp
    is within ``window`` seconds of ``now``. Replays are the receiver's to refuse, by event id."""
    event_id, timestamp, header = (headers.get(h) for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER))
    if not event_id or not timestamp or not header:
        return "missing webhook headers"
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        return "stale or malformed timestamp"
    for part in header.split(","):
        key_id, _, sent = part.strip().partition("=")
        secret = secrets.get(key_id)
        if secret is not None and hmac.compare_digest(sent, signature(secret, timestamp, event_id, body)):
            return None
    return "no signature matches a known key"
