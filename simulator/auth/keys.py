"""Who holds which key: the operators' signing keys and the admin token, from the settings or, when the settings
name none, from the development credentials under ``data_dir``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.credentials import Credentials, OperatorKey, load_or_create
from simulator.settings import Settings


@dataclass(frozen=True, slots=True)
class AuthKeys:
    """Operator keys by key id (an operator has at most two, so one can be rotated while the other works) and
    the admin token. ``path`` is the credentials file any of them came from; ``repr`` never shows a secret."""

    operator_keys: Mapping[str, OperatorKey]
    admin_token: str = field(repr=False)
    path: Path | None = None

    def secrets(self) -> list[str]:
        """Every secret here, for tests and redaction that must never see one."""
        return [self.admin_token, *(key.secret for key in self.operator_keys.values())]

    def first_key(self) -> OperatorKey:
        return next(iter(self.operator_keys.values()))


def from_credentials(creds: Credentials) -> AuthKeys:
    return AuthKeys({k.key_id: k for k in creds.operator_keys}, creds.admin_token, creds.path)


def load_auth_keys(settings: Settings) -> AuthKeys:
    """Configured operators and admin token win; whatever is not configured comes from the credentials file
    (created, or upgraded in place, on first use)."""
    configured = {
        key.key_id: OperatorKey(operator_id, key.key_id, key.secret.get_secret_value())
        for operator_id, operator in settings.operators.items()
        for key in operator.keys
    }
    token = settings.admin_token.get_secret_value() if settings.admin_token is not None else None
    if configured and token is not None:
        return AuthKeys(configured, token, None)
    creds = load_or_create(settings.data_dir, settings.wallet_key_id)
    return AuthKeys(configured or {k.key_id: k for k in creds.operator_keys}, token or creds.admin_token, creds.path)
