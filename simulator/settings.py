"""All configuration in one frozen model: defaults < config file (TOML or YAML) < ``CASINO_SIM_*`` env < CLI flags.

>>> s = Settings(port=9000)
>>> s.port, s.bind_url
(9000, 'http://127.0.0.1:9000')

Unknown keys are refused (``extra="forbid"``), so a typo in a config file is an error that names the field, not a
silently ignored value.
"""

from __future__ import annotations

import contextvars
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from simulator.errors import ConfigurationError

_config_file: contextvars.ContextVar[Path | None] = contextvars.ContextVar("config_file", default=None)


class WalletEndpoint(BaseModel):
    """Where one wallet dialect's calls go and how they are authenticated; unset fields keep the defaults.

    >>> WalletEndpoint(url="https://wallet.example/md5", key_id="op-7").url
    'https://wallet.example/md5'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str | None = Field(None, description="Default: the wallet URL (native) or {wallet URL}/{dialect}.")
    key_id: str | None = Field(None, description="Key or provider id sent with calls; default wallet_key_id.")
    secret: SecretStr | None = Field(None, description="HMAC, MD5 or auth-token secret; default: derived.")
    private_key_path: Path | None = Field(None, description="rsa_json: PEM key the simulator signs with.")
    public_key_path: Path | None = Field(None, description="rsa_json: PEM key the wallet verifies with.")


class OperatorKeySettings(BaseModel):
    """One signing key of an operator: the id it sends in ``X-Operator-Key`` and the shared HMAC secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    secret: SecretStr

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("an operator secret needs at least 16 characters")
        return value


class OperatorSettings(BaseModel):
    """An operator's active keys: two, so a new key can go live before the old one is retired.

    >>> OperatorSettings(keys=[{"key_id": "acme-2026-01", "secret": "x" * 32}]).keys[0].key_id
    'acme-2026-01'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    keys: list[OperatorKeySettings] = Field(min_length=1, max_length=2)


class WebhookEndpointSettings(BaseModel):
    """An operator's webhook receiver: where events go, which ones, and the keys that sign them (two while one is
    being rotated out; each delivery carries a signature per key).

    >>> WebhookEndpointSettings(url="https://ops.example/hooks", keys=[{"key_id": "k1", "secret": "s" * 32}]).events
    ('*',)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(pattern=r"^https?://", description="Receives each event as a signed POST.")
    events: tuple[str, ...] = Field(("*",), description="Event types to send ('*': every type).")
    keys: list[OperatorKeySettings] = Field(min_length=1, max_length=2)


class Hub88OperatorSettings(BaseModel):
    """An operator of the Hub88 operator API: the public key its request signatures (``X-Hub88-Signature``)
    verify with. Our public key, which it registers to verify our wallet calls, is the hub88 dialect's
    (``wallets.hub88.public_key_path``, by default ``hub88_public.pem`` under data_dir).

    >>> Hub88OperatorSettings(public_key_path="keys/operator-1.pem").public_key_path.name
    'operator-1.pem'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    public_key_path: Path = Field(description="PEM public key the operator's requests are verified with.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASINO_SIM_", frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64, description="Processes serving the port (SO_REUSEPORT); >1 needs PostgreSQL.")
    public_url: str | None = Field(None, description="Base URL put in launch URLs; defaults to the bind address.")
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        None, description="sqlite:///path or postgresql://...; defaults to SQLite files under data_dir."
    )
    seed: int = Field(20261120, description="Root seed: catalogue, fault draws and, when deterministic, ids and seeds.")
    deterministic: bool = Field(False, description="Derive tokens, ids and server seeds from the seed (never in prod).")

    wallet_url: str | None = Field(None, description="Operator wallet base URL; defaults to the embedded wallet.")
    embedded_wallet: bool = Field(True, description="Serve the reference wallet under /wallet in the same process.")
    wallet_key_id: str = "casino-sim"
    wallet_secret: SecretStr | None = Field(None, description="HMAC secret; generated under data_dir when unset.")
    wallet_timeout: float = Field(5.0, gt=0, description="Seconds before a wallet call counts as timed out.")
    wallet_pool_size: int = Field(256, ge=1, description="Keep-alive connections to the wallet.")
    signature_window: int = Field(300, ge=1, description="Seconds a signed timestamp stays acceptable.")
    wallets: dict[str, WalletEndpoint] = Field(
        default_factory=dict, description="Per-dialect wallet URL and keys; absent dialects use the defaults."
    )
    studio_dialects: dict[str, str] = Field(
        default_factory=dict,
        description="Studio id -> wallet dialect, over the catalogue's own deal (e.g. a studio speaking hub88).",
    )
    hub88_operators: dict[str, Hub88OperatorSettings] = Field(
        default_factory=dict, description="Operators of the Hub88 operator API (/hub88), by operator_id."
    )
    groove_operator_ids: list[str] = Field(
        default_factory=list, description="Operator ids (nogsoperatorid) Groove's Start Game (/groove/game/) accepts."
    )
    groove_frb_users: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Groove FRB API (/groove/frb/...) back-office users, email -> password: the request's"
        " Authorization is Bearer base64(email:password).",
    )
    unknown_rollback: Literal["accept", "reject"] = Field(
        "accept", description="Reference wallet: answer to a rollback of a transaction it never saw."
    )

    session_ttl: int = Field(3600, ge=1, description="Seconds a game session accepts new rounds.")
    catalog_change_interval: float = Field(
        600.0, ge=0, description="Seconds between seeded catalogue changes (added, updated...); 0: none."
    )
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    retry_base_delay: float = Field(0.5, gt=0, description="First backoff of a failed win or rollback, seconds.")
    retry_max_delay: float = Field(60.0, gt=0)
    retry_max_age: float = Field(86400.0, gt=0, description="After this many seconds a settlement needs a human.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    market_profiles_dir: Path | None = Field(
        None, description="Folder of jurisdiction profile JSON files replacing or adding to the built-in ones."
    )
    rates_file: Path | None = Field(None, description="Exchange rates JSON file replacing the built-in table.")
    live_betting_seconds: float = Field(15.0, gt=0, description="Live tables: seconds each round takes bets.")
    live_draw_seconds: float = Field(3.0, ge=0, description="Live tables: seconds from no more bets to the result.")
    live_pause_seconds: float = Field(5.0, ge=0, description="Live tables: seconds a result shows before the next.")
    live_idle_timeout: float = Field(60.0, gt=0, description="Seconds a live socket may stay silent before it closes.")
    live_heartbeat: float = Field(20.0, gt=0, description="Seconds between the server's pings on a live socket.")
    live_message_rate: float = Field(10.0, gt=0, description="Messages per second a live socket may send (burst 2x).")
    live_lease: float = Field(10.0, gt=0, description="Seconds a process holds a live table's clock without renewing.")

    faults_file: Path | None = Field(None, description="YAML or TOML file of fault rules loaded at start.")
    fault_header: bool = Field(False, description="Honour X-Casino-Sim-Fault request headers (testing only).")
    fault_header_max_active: int = Field(10, ge=1, description="Requests that may carry header-chosen faults at once.")
    journal_size: int = Field(1000, ge=0, description="Exchanges kept in the in-memory journal; 0 turns it off.")
    event_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        "auto", description="The servers' event loop: uvloop when installed (auto), or the one named."
    )

    auth: bool = Field(
        True, description="Signed operator API and admin token; false is refused on a non-loopback address."
    )
    operators: dict[str, OperatorSettings] = Field(
        default_factory=dict, description="Operator signing keys; when empty, the development operator in data_dir."
    )
    admin_token: SecretStr | None = Field(None, description="Bearer token of the admin API; generated when unset.")
    webhooks: dict[str, WebhookEndpointSettings] = Field(
        default_factory=dict, description="Webhook endpoints by id (docs/webhooks.md); none by default."
    )
    rate_limit: float = Field(1000.0, ge=0, description="Requests per second per operator key (per process); 0: off.")
    rate_burst: int = Field(2000, ge=1, description="Requests an operator key may send at once before rate_limit.")
    nonce_capacity: int = Field(
        1_000_000, ge=1000, description="Nonces remembered at most; beyond it signed requests get a 503."
    )
    tls_cert: Path | None = Field(None, description="PEM certificate (chain) every listener serves HTTPS with.")
    tls_key: Path | None = Field(None, description="PEM private key of tls_cert.")
    wallet_ca_bundle: Path | None = Field(None, description="PEM CA certificates trusted for wallet calls.")
    header_timeout: float = Field(10.0, gt=0, description="Seconds a client has to send a request's headers.")
    read_timeout: float = Field(30.0, gt=0, description="Seconds a client has to send a request's body.")
    keepalive_timeout: float = Field(75.0, gt=0, description="Seconds an idle keep-alive connection stays open.")
    max_connections: int = Field(
        4096, ge=1, description="Open client connections per listener; at the cap idle ones make room, or a 503."
    )
    max_connections_per_client: int = Field(
        1024, ge=1, description="Open connections per client address and listener; beyond, its idle ones make room."
    )

    @field_validator("wallets")
    @classmethod
    def _known_dialects(cls, value: dict[str, WalletEndpoint]) -> dict[str, WalletEndpoint]:
        """Dialect names come from the registry, which imports the dialects and so is read only when validating."""
        from simulator.dialects.registry import DIALECTS

        unknown = sorted(set(value) - set(DIALECTS))
        if unknown:
            raise ValueError(f"unknown wallet dialect {unknown[0]!r}; known: {', '.join(DIALECTS)}")
        return value

    @field_validator("studio_dialects")
    @classmethod
    def _studio_dialects_known(cls, value: dict[str, str]) -> dict[str, str]:
        from simulator.dialects.registry import DIALECTS

        for studio, dialect in value.items():
            if dialect not in DIALECTS:
                raise ValueError(f"studio {studio!r}: unknown wallet dialect {dialect!r}; known: {', '.join(DIALECTS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key go together: set both or neither")
        seen: set[str] = set()
        for operator in self.operators.values():
            for key in operator.keys:
                if key.key_id in seen:
                    raise ValueError(f"operator key id {key.key_id!r} is used twice")
                seen.add(key.key_id)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert is not None else "http"

    @property
    def bind_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104 - mapping, not binding
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return (self.public_url or self.bind_url).rstrip("/")

    @property
    def effective_wallet_url(self) -> str:
        return (self.wallet_url or f"{self.base_url}/wallet").rstrip("/")

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'simulator.sqlite3'}"

    @property
    def wallet_database_url(self) -> str:
        if self.database_url and self.database_url.startswith("postgresql"):
            return self.database_url
        return f"sqlite:///{self.data_dir / 'wallet.sqlite3'}"


class _FileSource(PydanticBaseSettingsSource):
    """Values from the config file named by ``load_settings``; TOML by extension ``.toml``, YAML otherwise."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = _config_file.get()
        self._values = _read_config(path) if path is not None else {}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigurationError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            f"config file {path} is not valid {'TOML' if path.suffix == '.toml' else 'YAML'}: {exc}"
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"config file {path} must hold a mapping of settings")
    return data


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from the file, the environment and explicit overrides (``None`` overrides are ignored)."""
    token = _config_file.set(config_file)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    finally:
        _config_file.reset(token)
