"""Generate the catalogue from the root seed: the same seed, engine registry and Faker version (pinned exactly in
pyproject.toml; tests/simulator/catalog/test_names_pinned.py holds the default seed's names) give the same
studios, games and change schedule on every machine and in every process.

Faker is seeded per instance (never through its global instance) and every other draw comes from a
``random.Random`` seeded with a string (hashed with SHA-512, so ``PYTHONHASHSEED`` plays no part). Engines are
visited in sorted order. Each registered engine backs at least one game and has one *reference title*: offered
in every currency, language and country, with the default limits, owned by a native-dialect studio and never
touched by the change schedule, so integrations and tests always find a stable game per engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from math import isinf
from typing import Any

from faker import Faker

from games.engine import AnyEngine, MathProfile
from games.registry import engine_ids, get_engine
from simulator.catalog import data
from simulator.catalog.jackpots import JACKPOTS
from simulator.catalog.models import Category, ChangeKind, Game, RtpVariant, Studio, Volatility
from simulator.dialects.registry import SUPPORTS, dealt
from simulator.markets.profiles import builtin_profiles
from simulator.money import EXPONENTS
from simulator.rates import Rates, default_rates, scale_cents

STUDIOS = 40
GAMES = 1000
UPCOMING = 40  # games held back and added by the change schedule


def _volatility(sigma: float) -> Volatility:
    if sigma < 2:
        return "low"
    if sigma < 6:
        return "medium"
    return "high"


def engine_features(engine: AnyEngine, *, jackpot: bool = False) -> tuple[str, ...]:
    """The features a game on this engine advertises: those the engine declares (slots: free spins, bonus buy),
    never a draw, and ``jackpot`` for the titles ``simulator.catalog.jackpots`` gives a pool."""
    declared: tuple[str, ...] = getattr(engine, "features", ())
    return tuple(sorted({*declared, *(("jackpot",) if jackpot else ())}))


def _category(engine: AnyEngine) -> Category:
    """The engine's category; one the catalogue does not know is listed as instant. Only the engines of live
    tables (``games.table.live``), which the table runner plays on its clock, are listed as live."""
    if engine.category == "slots":
        return "slots"
    if engine.category == "table":
        return "table"
    if engine.category == "live":
        return "live"
    return "instant"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "game"


@dataclass(frozen=True, slots=True)
class ScheduledChange:
    index: int  # 1-based: due at epoch + index * interval
    kind: ChangeKind
    game_id: str
    fields: dict[str, Any] = field(default_factory=dict)


class Blueprint:
    """The generated catalogue before any change: what every process derives from the seed alone."""

    def __init__(
        self,
        seed: int,
        studios: list[Studio],
        games: list[Game],
        upcoming: list[Game],
        reference: frozenset[str],
        locales: Mapping[str, Faker],
        rates: Rates,
    ) -> None:
        self.seed = seed
        self.rates = rates
        self.studios = studios
        self.games = games
        self.upcoming = {g.game_id: g for g in upcoming}
        self.reference = reference
        digest = hashlib.sha256()
        for record in [*studios, *games, *upcoming]:
            digest.update(record.model_dump_json().encode())
        self.fingerprint = digest.hexdigest()
        self._locales = locales
        self._schedule: list[ScheduledChange] = []
        self._rng = random.Random(f"{seed}:schedule")
        self._state = {g.game_id: g for g in games}
        self._queue = [g.game_id for g in upcoming]
        self._disabled: list[str] = []
        self.rendered: dict[str, dict[str, bytes]] | None = None  # the games' JSON per API version, made once

    def scheduled(self, count: int) -> list[ScheduledChange]:
        """The first ``count`` scheduled changes (generated on demand, each from the ones before it)."""
        while len(self._schedule) < count:
            self._schedule.append(self._next(len(self._schedule) + 1))
        return self._schedule[:count]

    def _next(self, index: int) -> ScheduledChange:
        rng = self._rng
        roll = rng.random()
        if self._queue and roll < 0.2:
            game_id = self._queue.pop(0)
            self._state[game_id] = self.upcoming[game_id]
            return ScheduledChange(index, "added", game_id)
        candidates = sorted(set(self._state) - self.reference - set(self._disabled))
        if self._disabled and (roll < 0.35 or len(self._disabled) >= 20):
            game_id = self._disabled.pop(rng.randrange(len(self._disabled)))
            return ScheduledChange(index, "enabled", game_id)
        if roll < 0.5:
            game_id = rng.choice(candidates)
            self._disabled.append(game_id)
            return ScheduledChange(index, "disabled", game_id)
        game_id = rng.choice(candidates)
        fields = self._update(self._state[game_id], rng)
        self._state[game_id] = Game.model_validate(self._state[game_id].model_dump() | fields)  # bet_steps follow
        return ScheduledChange(index, "updated", game_id, fields)

    def _update(self, game: Game, rng: random.Random) -> dict[str, Any]:
        dialect = next(s.dialect for s in self.studios if s.studio_id == game.studio_id)
        missing_currencies = [c for c in sorted(EXPONENTS) if c not in game.currencies and SUPPORTS[dialect](c)]
        missing_languages = [lang for lang in data.LANGUAGES if lang not in game.languages]
        options = ["max_bet"]
        if missing_currencies:
            options.append("currency")
        if missing_languages:
            options.append("language")
        options.append("demo")
        kind = rng.choice(options)
        if kind == "max_bet":
            return {"max_bet": {c: v * 2 for c, v in game.max_bet.items()}}
        if kind == "currency":
            currency = rng.choice(missing_currencies)
            low, high = game.min_bet["USD"], game.max_bet["USD"]  # every generated game offers USD, in cents
            return {
                "currencies": tuple(sorted((*game.currencies, currency))),
                "min_bet": game.min_bet | {currency: scale_cents(currency, low, self.rates)},
                "max_bet": game.max_bet | {currency: scale_cents(currency, high, self.rates)},
            }
        if kind == "language":
            language = rng.choice(missing_languages)
            name = _local_name(self._locales[language], language)
            return {
                "languages": tuple(sorted((*game.languages, language))),
                "names": game.names | {language: name},
            }
        return {"demo": not game.demo}


def _local_name(fake: Faker, language: str) -> str:
    words: list[str] = fake.words(2)
    if language in data.UNSPACED:
        return "".join(words)
    return " ".join(w[:1].upper() + w[1:] for w in words)


_math_cache: dict[int, MathProfile] = {}


def _math(engine: AnyEngine) -> MathProfile:
    key = id(engine)
    if key not in _math_cache:
        _math_cache[key] = engine.math()
    return _math_cache[key]


def _family(engine_id: str, engine: AnyEngine) -> str:
    family = getattr(engine, "family", None)
    return family if isinstance(family, str) and family else engine_id


class _Generator:
    def __init__(self, seed: int, engines: Mapping[str, AnyEngine], rates: Rates) -> None:
        self.seed = seed
        self.rates = rates
        self.engines = dict(sorted(engines.items()))
        self.rng = random.Random(f"{seed}:catalog")
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.locales: dict[str, Faker] = {}
        for n, (language, locale) in enumerate(data.LANGUAGES.items()):
            fake = Faker(locale)
            fake.seed_instance(seed * 100 + n)
            self.locales[language] = fake
        families: dict[str, list[str]] = {}
        for engine_id, engine in self.engines.items():
            families.setdefault(_family(engine_id, engine), []).append(engine_id)
        self.variants = {
            engine_id: tuple(
                RtpVariant(engine_id=v, rtp=round(_math(self.engines[v]).rtp * 100, 4))
                for v in families[_family(engine_id, engine)]
            )
            for engine_id, engine in self.engines.items()
        }
        self.slugs: set[str] = set()
        # certification is drawn from a stream of its own, so it leaves every other draw of the catalogue as it was
        self.certifying = [p for p in builtin_profiles() if p.certification_required]
        self.certification = random.Random(f"{seed}:certification")
        self.multi_step = {e: engine.multi_step for e, engine in self.engines.items()}

    def studios(self) -> list[Studio]:
        names: set[str] = set()
        known = dealt()
        dialects = [known[i % len(known)] for i in range(STUDIOS)]
        self.rng.shuffle(dialects)
        out = []
        for i in range(STUDIOS):
            name = f"{self.fake.last_name()} {self.rng.choice(data.STUDIO_SUFFIXES)}"
            while name in names:
                name = f"{self.fake.last_name()} {self.rng.choice(data.STUDIO_SUFFIXES)}"
            names.add(name)
            slug = _slugify(name)
            blocked = self.rng.sample(data.REGULATED, self.rng.randint(0, 3))
            out.append(
                Studio(
                    studio_id=f"studio-{i + 1:03d}",
                    slug=slug,
                    name=name,
                    dialect=dialects[i],
                    country=self.rng.choice(data.STUDIO_COUNTRIES),
                    founded=self.rng.randint(1996, 2023),
                    website=f"https://{slug}.example",
                    blocked_countries=tuple(sorted(blocked)),
                )
            )
        return out

    def _slug(self, name: str) -> str:
        base = _slugify(name)
        slug = base
        for n in itertools.count(2):
            if slug not in self.slugs:
                break
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def _name(self, engine_id: str, category: Category) -> str:
        fake, rng = self.fake, self.rng
        word = str(fake.word()).title()
        label = engine_id.replace("_", "-").split("-")[0].title()
        if category == "slots":
            pattern = rng.randrange(5)
            if pattern == 0:
                return f"{word} {str(fake.word()).title()}"
            if pattern == 1:
                return f"{fake.last_name()}'s {word}"
            if pattern == 2:
                return f"Mega {word}"
            if pattern == 3:
                return f"{word} of {fake.city()}"
            return f"{word} {str(fake.word()).title()} Deluxe"
        return f"{word} {label}" if rng.random() < 0.7 else f"{fake.last_name()} {label}"

    def _certified(
        self, category: str, blocked: list[str], allowed: tuple[str, ...] | None, *, reference: bool
    ) -> tuple[str, ...]:
        """The regulated jurisdictions a game is certified for: never one whose market bans its category or whose
        country the game may not be launched in; a reference title holds every certification its category allows,
        other titles about 70 % of them."""
        out = []
        for profile in self.certifying:
            drawn = self.certification.random() < 0.7
            country = profile.country
            playable = country is not None and country not in blocked and (allowed is None or country in allowed)
            if category in profile.categories and playable and (reference or drawn):
                out.append(profile.id)
        return tuple(sorted(out))

    def game(self, n: int, engine_id: str, studio: Studio, *, reference: bool) -> Game:
        rng = self.rng
        engine = self.engines[engine_id]
        math = _math(engine)
        category = _category(engine)
        name = self._name(engine_id, category)
        others = [lang for lang in data.LANGUAGES if lang != "en"]
        if reference:
            languages = list(data.LANGUAGES)
            currencies = sorted(EXPONENTS)
            low, high = data.REFERENCE_LIMITS
            blocked: list[str] = []
            allowed: tuple[str, ...] | None = None
        else:
            languages = ["en", *rng.sample(others, rng.randint(2, 9))]
            supported = [c for c in sorted(EXPONENTS) if SUPPORTS[studio.dialect](c)]
            currencies = [c for c in supported if c in ("EUR", "USD") or rng.random() < 0.7]
            low, high = rng.choice(data.MIN_BET_CENTS), rng.choice(data.MAX_BET_CENTS)
            blocked = sorted({*studio.blocked_countries, *rng.sample(data.REGULATED, rng.randint(0, 2))})
            allowed = None
            if rng.random() < 0.08:
                allowed = tuple(c for c in rng.choice(data.REGIONS) if c not in blocked)
        jurisdictions = self._certified(category, blocked, allowed, reference=reference)
        names = {"en": name} | {
            lang: _local_name(self.locales[lang], lang) for lang in sorted(languages) if lang != "en"
        }
        released = dt.date.fromisoformat(data.RELEASE_FROM) + dt.timedelta(days=rng.randrange(data.RELEASE_DAYS))
        game_id = f"{studio.studio_id}-{engine_id}-{n:04d}"
        own_mode = getattr(engine, "rng_mode", None)
        jackpot = JACKPOTS.get(engine_id) if reference else None
        if jackpot is not None:
            jackpot = jackpot.model_copy(
                update={"seed": {c: scale_cents(c, jackpot.seed_usd_cents, self.rates) for c in currencies}}
            )
        return Game(
            game_id=game_id,
            slug=self._slug(name),
            name=name,
            names=names,
            studio_id=studio.studio_id,
            category=category,
            engine_id=engine_id,
            multi_step=self.multi_step[engine_id],
            rtp=round((math.rtp + (jackpot.rtp_share if jackpot else 0.0)) * 100, 4),
            rtp_variants=self.variants[engine_id],
            volatility=_volatility(math.std_dev),
            hit_frequency=round(math.hit_frequency, 6),
            max_win_multiplier=None if isinf(math.max_win_multiplier) else math.max_win_multiplier,
            currencies=tuple(currencies),
            min_bet={c: scale_cents(c, low, self.rates) for c in currencies},
            max_bet={c: scale_cents(c, high, self.rates) for c in currencies},
            languages=tuple(sorted(languages)),
            allowed_countries=allowed,
            blocked_countries=tuple(blocked),
            jurisdictions=jurisdictions,
            features=engine_features(engine, jackpot=jackpot is not None),
            jackpot=jackpot,
            release_date=released.isoformat(),
            demo=reference or rng.random() < 0.9,
            thumbnail_url=f"/v1/games/{game_id}/thumbnail.svg",
            # a share of titles exercises the unbiased mapping and the certified-RNG mode (docs/fairness.md); an
            # engine that names its own source (live crash: its hash chain) always has it
            rng_mapping="unbiased" if not reference and n % 5 == 0 and own_mode is None else "compatible",
            rng_mode=own_mode or ("certified" if not reference and n % 7 == 0 else "provably-fair"),
            reference=reference,
        )


def build_blueprint(seed: int, engines: Mapping[str, AnyEngine], rates: Rates | None = None) -> Blueprint:
    """``rates`` convert the bet limits, written in US cents, into every currency (default: the built-in table)."""
    rates = rates or default_rates()
    gen = _Generator(seed, engines, rates)
    studios = gen.studios()
    native = [s for s in studios if s.dialect == "native"]
    ids = list(gen.engines)
    games: list[Game] = []
    for n, engine_id in enumerate(ids, start=1):
        games.append(gen.game(n, engine_id, native[(n - 1) % len(native)], reference=True))
    reference = frozenset(g.game_id for g in games)
    slots = [ids[i % len(ids)] for i in range(GAMES + UPCOMING - len(ids))] if ids else []
    gen.rng.shuffle(slots)
    for i, engine_id in enumerate(slots):
        n = len(ids) + i + 1
        games.append(gen.game(n, engine_id, studios[i % len(studios)], reference=False))
    listed, upcoming = games[: max(GAMES, len(ids))], games[max(GAMES, len(ids)) :]
    return Blueprint(seed, studios, listed, upcoming, reference, gen.locales, rates)


_RATES: dict[str, Rates] = {}


@lru_cache(maxsize=8)
def _cached(seed: int, engines: tuple[tuple[str, int], ...], dialects: tuple[str, ...], rates: str) -> Blueprint:
    """``dialects`` only keys the cache: the builder reads the registry itself, which a plug-in may extend; ``rates``
    is the table's fingerprint."""
    return build_blueprint(seed, {engine_id: get_engine(engine_id) for engine_id, _ in engines}, _RATES[rates])


def blueprint_for(seed: int, rates: Rates | None = None) -> Blueprint:
    """The blueprint of ``seed`` over the registered engines and dialects and a rates table, built once per process
    and set."""
    rates = rates or default_rates()
    _RATES.setdefault(rates.fingerprint, rates)
    ids = engine_ids()
    engines = tuple((engine_id, id(get_engine(engine_id))) for engine_id in ids)
    return _cached(seed, engines, dealt(), rates.fingerprint)


def catalogue_digest(blueprint: Blueprint) -> str:
    """A short stable summary, for comparing builds across processes."""
    summary = {
        "fingerprint": blueprint.fingerprint,
        "studios": len(blueprint.studios),
        "games": len(blueprint.games),
    }
    return json.dumps(summary, sort_keys=True)
