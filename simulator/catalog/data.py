"""Fixed vocabularies the catalogue generator draws from. Changing any of them changes every seed's
catalogue."""

from __future__ import annotations

# language code -> Faker locale whose word list names the game in that language
LANGUAGES: dict[str, str] = {
    "en": "en_US",
    "cs": "cs_CZ",
    "da": "da_DK",
    "de": "de_DE",
    "el": "el_GR",
    "es": "es_ES",
    "fr": "fr_FR",
    "it": "it_IT",
    "ja": "ja_JP",
    "nl": "nl_NL",
    "pl": "pl_PL",
    "ru": "ru_RU",
    "uk": "uk_UA",
    "zh": "zh_CN",
}
UNSPACED = frozenset({"ja", "zh"})

STUDIO_SUFFIXES = ("Gaming", "Studios", "Interactive", "Games", "Entertainment", "Labs", "Play", "Works")
STUDIO_COUNTRIES = ("BG", "CY", "CW", "EE", "ES", "GB", "GI", "IM", "IT", "LV", "MT", "RO", "RS", "SE", "UA")

# markets that regulate online casinos tightly; studios and games block some of them
REGULATED = ("AU", "BE", "CH", "DE", "DK", "ES", "FR", "GB", "IT", "NL", "PT", "SE", "SG", "TR", "US")
REGIONS: tuple[tuple[str, ...], ...] = (
    ("DK", "FI", "IS", "NO", "SE"),
    ("AR", "BR", "CL", "CO", "MX", "PE"),
    ("CZ", "HU", "PL", "RO", "SK"),
    ("IN", "JP", "KR", "TH", "VN"),
    ("CA", "IE", "MT", "NZ"),
)

FEATURES = ("bonus_buy", "free_spins", "jackpot")
CATEGORIES = ("instant", "live", "slots", "table")
VOLATILITIES = ("low", "medium", "high")

MIN_BET_CENTS = (10, 20, 50, 100)
MAX_BET_CENTS = (10_000, 50_000, 250_000, 1_000_000)
REFERENCE_LIMITS = (10, 100_000)  # every engine's reference title: 10 cents to 1,000 USD

RELEASE_FROM = "2015-01-01"
RELEASE_DAYS = 4200  # about eleven and a half years of release dates
