"""TLS on every listener from ``tls_cert``/``tls_key``, and a wallet client that verifies certificates: a wallet
whose certificate comes from an unknown CA is refused until ``wallet_ca_bundle`` names that CA."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
import pytest

from simulator.clock import SystemClock
from simulator.commands.serve import bind
from simulator.errors import ConfigurationError
from simulator.ids import RandomIds
from simulator.listener import make_runner, server_ssl_context, start_site, trust_context
from simulator.settings import Settings
from simulator.wallet.app import create_wallet_app
from tests.fakes.tls import TlsFiles, make_tls
from tests.harness import running_sim

SECRET = "tls-test-wallet-secret"


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return make_tls(tmp_path / "tls")


async def test_the_simulator_serves_https_and_plays_over_it(tmp_path: Path, tls: TlsFiles) -> None:
    settings = Settings(data_dir=tmp_path / "data", port=0, tls_cert=tls.cert, tls_key=tls.key)
    async with running_sim(settings) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        player = await sim.create_player(10_000)
        session = await sim.launch(player, await sim.game_for("dice"))
        assert session["launch_url"].startswith("https://")
        played = await sim.play(session["session_token"], 100, {"target": "50.50", "direction": "over"})
        assert played.status == 200, played.body  # the embedded wallet was called over HTTPS too

        async with aiohttp.ClientSession() as anyone:
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await anyone.get(sim.url + "/healthz")  # an unknown CA is refused by a verifying client
            plain = sim.url.replace("https://", "http://")
            with pytest.raises(aiohttp.ClientError):
                await anyone.get(plain + "/healthz")  # and plain HTTP gets no answer
        connector = aiohttp.TCPConnector(ssl=trust_context(tls.ca))
        async with aiohttp.ClientSession(connector=connector) as trusting, trusting.get(sim.url + "/healthz") as ok:
            assert ok.status == 200


async def test_a_wallet_with_an_unknown_ca_is_refused_until_its_ca_is_configured(tmp_path: Path) -> None:
    wallet_tls = make_tls(tmp_path / "wallet-tls", "wallet")
    wallet_settings = Settings(
        data_dir=tmp_path / "wallet", port=0, tls_cert=wallet_tls.cert, tls_key=wallet_tls.key, wallet_secret=SECRET
    )
    wallet_app = create_wallet_app(
        wallet_settings, clock=SystemClock(), ids=RandomIds(), keys={"casino-sim": SECRET.encode()}
    )
    sock = bind("127.0.0.1", 0)
    runner = make_runner(wallet_app, wallet_settings)
    await runner.setup()
    await start_site(runner, sock, wallet_settings)
    wallet_url = f"https://127.0.0.1:{sock.getsockname()[1]}"
    try:
        base = Settings(
            data_dir=tmp_path / "wallet",  # the wallet's credentials: its admin token makes sandbox players
            port=0,
            embedded_wallet=False,
            wallet_url=wallet_url,
            wallet_secret=SECRET,
        )
        connector = aiohttp.TCPConnector(ssl=trust_context(wallet_tls.ca))
        async with running_sim(base) as untrusting, aiohttp.ClientSession(connector=connector) as admin:
            token = {"Authorization": f"Bearer {untrusting.keys.admin_token}"}
            async with admin.post(
                f"{wallet_url}/sandbox/players", json={"currency": "USD", "balance": 5_000}, headers=token
            ) as created:
                assert created.status == 201
                player = await created.json()
            game = await untrusting.game_for("dice")
            body = {"player_id": player["player_id"], "game_id": game, "currency": "USD", "token": player["token"]}
            refused = await untrusting.request("POST", "/v1/sessions", body)
            assert refused.status == 502 and refused.body["error"]["code"] == "WALLET_UNAVAILABLE", refused.body

        async with running_sim(base.model_copy(update={"wallet_ca_bundle": wallet_tls.ca})) as trusting:
            launched = await trusting.request("POST", "/v1/sessions", body)
            assert launched.status == 201, launched.body
    finally:
        await runner.cleanup()


def test_unreadable_certificates_are_clear_errors(tmp_path: Path, tls: TlsFiles) -> None:
    with pytest.raises(ConfigurationError, match="cannot load tls_cert"):
        server_ssl_context(Settings(tls_cert=tmp_path / "absent.pem", tls_key=tls.key))
    with pytest.raises(ConfigurationError, match="cannot load tls_cert"):
        server_ssl_context(Settings(tls_cert=tls.cert, tls_key=tls.cert))  # a certificate is not a key
    with pytest.raises(ConfigurationError, match="cannot load CA certificates"):
        trust_context(tmp_path / "absent-ca.pem")
    with pytest.raises(ValueError, match="set both or neither"):
        Settings(tls_cert=tls.cert)
    context = server_ssl_context(Settings(tls_cert=tls.cert, tls_key=tls.key))
    assert context is not None and context.minimum_version == ssl.TLSVersion.TLSv1_2
