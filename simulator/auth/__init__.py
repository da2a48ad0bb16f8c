"""Who may call what. Operator routes (``/v1``, ``/v2``) take HMAC-signed requests with a timestamp and a nonce that
is remembered in the database for the replay window; each operator has up to two active keys, so keys rotate without
downtime; each key has a rate limit. The admin API (``/admin``, ``/metrics``, the reference wallet's sandbox and
ledger export) takes a bearer token. The game client is authorised by its session token, the wallet protocol by its
own signatures, and ``/healthz`` and ``/openapi.json`` are open. See docs/security.md.

Errors (all ``Unauthorized``, 401, unless noted): ``MISSING_SIGNATURE``, ``UNKNOWN_KEY``, ``INVALID_TIMESTAMP``,
``INVALID_NONCE``, ``INVALID_SIGNATURE``, ``STALE_TIMESTAMP``, ``REPLAYED_NONCE``; ``UNAUTHORIZED`` and
``INVALID_TOKEN`` for the admin token; ``RATE_LIMITED`` (``TooManyRequests``, 429, ``Retry-After``);
``REPLAY_CACHE_FULL`` (503).
"""
