"""Every jurisdiction profile file loads, states its sources, and resolves as documented; overrides replace by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.errors import ConfigurationError, RequestError
from simulator.markets.profiles import builtin_profiles, load_profiles
from simulator.markets.session import ResponsibleGaming, session_rules
from simulator.rates import load_rates

PROFILES = {p.id: p for p in builtin_profiles()}


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_every_profile_has_sources_and_a_page_in_the_docs(profile_id: str) -> None:
    profile = PROFILES[profile_id]
    docs = (Path(__file__).parents[3] / "docs" / "jurisdictions.md").read_text()
    assert f"`{profile_id}`" in docs
    if profile_id != "default":
        assert profile.sources and profile.regulator and profile.certification_required
        for source in profile.sources:
            assert source.url.startswith("https://")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("GB", "GB", id="country"),
        pytest.param("GB-ENG", "GB", id="region-of-a-country-profile"),
        pytest.param("CA-ON", "CA-ON", id="region-profile"),
        pytest.param("CA-QC", "default", id="region-without-profile"),
        pytest.param("CA", "default", id="country-whose-region-has-one"),
        pytest.param("FR", "default", id="country-without-profile"),
    ],
)
def test_a_jurisdiction_resolves_to_its_profile(code: str, expected: str) -> None:
    assert load_profiles().resolve(code).id == expected


@pytest.mark.parametrize("code", ["XX", "GB-XXX", "CA-ZZ", "gb", "G", "ÜB"])
def test_unknown_jurisdictions_are_refused(code: str) -> None:
    with pytest.raises(RequestError) as caught:
        load_profiles().resolve(code)
    assert caught.value.code == "UNKNOWN_JURISDICTION"


def test_a_settings_folder_replaces_a_profile_and_adds_one(tmp_path: Path) -> None:
    stricter = PROFILES["SE"].model_dump(mode="json")
    stricter["rules"]["slots"]["min_round_seconds"] = 3
    (tmp_path / "se.json").write_text(json.dumps(stricter))
    (tmp_path / "nl.json").write_text(json.dumps({"id": "NL", "name": "Netherlands", "rules": {"*": {"turbo": False}}}))
    profiles = load_profiles(tmp_path)
    assert profiles.resolve("SE").for_category("slots").min_round_seconds == 3
    assert profiles.resolve("NL").for_category("table").turbo is False
    assert profiles.resolve("GB") == PROFILES["GB"]


@pytest.mark.parametrize(
    "text", ['{"id": "NL"}', '{"id": "nl", "name": "x"}', '{"id": "NL", "name": "x", "categories": ["poker"]}', "{"]
)
def test_a_bad_profile_file_is_a_configuration_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(ConfigurationError, match=r"bad\.json"):
        load_profiles(tmp_path)


def test_caps_convert_into_the_session_currency_rounding_down() -> None:
    rates = load_rates()
    rules = session_rules(PROFILES["GB"], "GB", "slots", "EUR", young_adult=False, rg=None, rates=rates)
    assert rules.max_stake == 587  # GBP 5.00 at 1.27 / 1.08 = EUR 5.879..., down to 5.87
    assert rates.convert(587, "EUR", "GBP") <= 500
    young = session_rules(PROFILES["GB"], "GB", "slots", "GBP", young_adult=True, rg=None, rates=rates)
    assert young.max_stake == 200
    table = session_rules(PROFILES["GB"], "GB", "table", "GBP", young_adult=False, rg=None, rates=rates)
    assert table.max_stake is None and table.min_round_seconds == 0


def test_spain_caps_the_reality_check_interval_and_demands_limits() -> None:
    rates, spain = load_rates(), PROFILES["ES"]
    with pytest.raises(RequestError) as caught:
        session_rules(spain, "ES", "slots", "EUR", young_adult=False, rg=None, rates=rates)
    assert caught.value.code == "SESSION_LIMITS_REQUIRED"
    rg = ResponsibleGaming(session_time_limit=3600, loss_limit=10_000, reality_check_interval=7200)
    rules = session_rules(spain, "ES", "slots", "EUR", young_adult=False, rg=rg, rates=rates)
    assert rules.reality_check_interval == 1800 and rules.autoplay_requires_loss_limit
