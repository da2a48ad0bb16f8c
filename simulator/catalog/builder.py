"""Generate the catalogue from the root seed: the same seed gives the same studios and games on every machine.

Faker is seeded per catalogue (never through its global instance), and engines are visited in sorted order, so the
result depends on nothing but the seed and the engine registry.
"""

from __future__ import annotations

from faker import Faker

from games.engine import MultiStepEngine
from games.registry import engine_ids, get_engine
from simulator.catalog.models import Catalog, Game, Studio
from simulator.money import EXPONENTS, scale_cents

_STUDIO_SUFFIXES = ("Gaming", "Studios", "Interactive", "Games", "Entertainment", "Labs", "Play", "Works")


def _volatility(sigma: float) -> str:
    if sigma < 2:
        return "low"
    if sigma < 6:
        return "medium"
    return "high"


def build_catalog(seed: int, *, studios: int = 8, games_per_engine: int = 2) -> Catalog:
    fake = Faker()
    fake.seed_instance(seed)
    studio_list = []
    for i in range(studios):
        name = f"{fake.last_name()} {_STUDIO_SUFFIXES[i % len(_STUDIO_SUFFIXES)]}"
        studio_list.append(Studio(studio_id=f"studio-{i + 1:03d}", name=name, dialect="native"))
    currencies = tuple(sorted(EXPONENTS))
    game_list = []
    n = 0
    for engine_id in engine_ids():
        engine = get_engine(engine_id)
        math = engine.math()
        for _ in range(games_per_engine):
            n += 1
            studio = studio_list[n % len(studio_list)]
            title = " ".join(fake.words(2)).title()
            game_list.append(
                Game(
                    game_id=f"{studio.studio_id}-{engine_id}-{n:04d}",
                    slug=f"{title.lower().replace(' ', '-')}-{n:04d}",
                    name=title,
                    studio_id=studio.studio_id,
                    category=engine.category,
                    engine_id=engine_id,
                    rtp=round(math.rtp * 100, 4),
                    hit_frequency=round(math.hit_frequency, 6),
                    volatility=_volatility(math.std_dev),
                    max_win_multiplier=math.max_win_multiplier,
                    currencies=currencies,
                    min_bet={c: scale_cents(c, 10) for c in currencies},
                    max_bet={c: scale_cents(c, 100_000) for c in currencies},
                    multi_step=isinstance(engine, MultiStepEngine),
                    # a share of games exercises the unbiased mapping and the certified-RNG mode
                    rng_mapping="unbiased" if n % 5 == 0 else "compatible",
                    rng_mode="certified" if n % 7 == 0 else "provably-fair",
                )
            )
    return Catalog(studio_list, game_list)
