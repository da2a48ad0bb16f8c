from __future__ import annotations

import hashlib
import hmac
import math
from fractions import Fraction

import pytest

from games.hashchain import (
    STAKE,
    HashChain,
    crash_point,
    multiplier_text,
    next_link,
    scheme_named,
    verify_game_hash,
)

SEED = "operator secret seed"
SALT = "0000000000000000000fa3b65e43e4240d71762a5bf397d5304b2596d116859c"


def test_links_hash_the_hex_text_of_the_previous_link() -> None:
    link = hashlib.sha256(b"x").hexdigest()
    assert next_link(link) == hashlib.sha256(link.encode("ascii")).hexdigest()
    assert next_link(link) != hashlib.sha256(bytes.fromhex(link)).hexdigest()


def test_chain_layout_matches_the_documented_numbering() -> None:
    links = [hashlib.sha256(SEED.encode()).hexdigest()]
    for _ in range(5):
        links.append(next_link(links[-1]))
    chain = HashChain(SEED, 5)
    assert chain.terminating_hash == links[5]
    assert [chain.game_hash(g) for g in range(1, 6)] == [links[5 - g] for g in range(1, 6)]


@pytest.mark.parametrize("checkpoint_every", [1, 3, 1024])
def test_checkpoints_do_not_change_the_chain(checkpoint_every: int) -> None:
    reference = HashChain(SEED, 50, checkpoint_every=1)
    chain = HashChain(SEED, 50, checkpoint_every=checkpoint_every)
    assert chain.terminating_hash == reference.terminating_hash
    assert [chain.game_hash(g) for g in range(1, 51)] == [reference.game_hash(g) for g in range(1, 51)]


def test_chain_is_deterministic_and_seed_dependent() -> None:
    assert HashChain(SEED, 100).terminating_hash == HashChain(SEED, 100).terminating_hash
    assert HashChain(SEED, 100).terminating_hash != HashChain(SEED + "!", 100).terminating_hash


def test_every_game_hash_walks_back_to_the_terminating_hash() -> None:
    chain = HashChain(SEED, 300, checkpoint_every=16)
    for game in (1, 2, 17, 150, 300):
        assert verify_game_hash(chain.game_hash(game), chain.terminating_hash, max_steps=300) == game


def test_verification_is_bounded_and_rejects_foreign_hashes() -> None:
    chain = HashChain(SEED, 300)
    assert verify_game_hash(chain.game_hash(200), chain.terminating_hash, max_steps=199) is None
    stranger = HashChain("another seed", 300).game_hash(5)
    assert verify_game_hash(stranger, chain.terminating_hash, max_steps=1000) is None


@pytest.mark.parametrize("bad", ["", "ABCDEF" * 10 + "ABCD", "zz" * 32, "a" * 63])
def test_malformed_hashes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="64 lowercase hex"):
        verify_game_hash(bad, "a" * 64, max_steps=1)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        crash_point(bad, SALT)


@pytest.mark.parametrize(("length", "game"), [(0, 1), (10, 0), (10, 11)])
def test_out_of_range_chain_arguments(length: int, game: int) -> None:
    with pytest.raises(ValueError):
        HashChain(SEED, length).game_hash(game)


def test_crash_point_follows_the_published_formula() -> None:
    game_hash = HashChain(SEED, 10).game_hash(1)
    digest = hmac.new(SALT.encode(), bytes.fromhex(game_hash), hashlib.sha256).hexdigest()
    x = int(digest[:13], 16) / 2**52
    expected = max(1, math.floor(99 / (1 - x)) / 100)
    bust = crash_point(game_hash, SALT)
    assert isinstance(bust, int)
    assert bust / 100 == expected
    assert crash_point(game_hash, SALT) == bust


def test_the_salt_changes_every_result() -> None:
    chain = HashChain(SEED, 20)
    hashes = [chain.game_hash(g) for g in range(1, 21)]
    assert [crash_point(h, SALT) for h in hashes] != [crash_point(h, "another salt") for h in hashes]


def test_multiplier_text_needs_no_float() -> None:
    assert [multiplier_text(h) for h in (100, 199, 1005, 123456)] == ["1.00", "1.99", "10.05", "1234.56"]


def test_bust_distribution_is_099_over_m() -> None:
    games = 20_000
    chain = HashChain(SEED, games, checkpoint_every=1)
    busts = [crash_point(chain.game_hash(g), SALT) for g in range(1, games + 1)]
    assert min(busts) == 100
    for m in (1.01, 1.5, 2.0, 5.0, 10.0, 100.0):
        p = 0.99 / m
        observed = sum(b >= round(m * 100) for b in busts) / games
        tolerance = 4.5 * math.sqrt(p * (1 - p) / games)
        assert abs(observed - p) <= tolerance, (m, observed, p)
    instant = sum(b == 100 for b in busts) / games  # floor(99 / (1 - X)) < 101  <=>  X < 2 / 101
    assert abs(instant - 2 / 101) <= 4.5 * math.sqrt((2 / 101) * (99 / 101) / games)


# Public vectors. bustabit v2 (its 2018 seeding event): salt = the hash of Bitcoin block 505750, terminating
# hash published before the first game; game #1's hash is one hex-text SHA-256 away from it.
BUSTABIT_V2_SALT = "0000000000000000004d6ec16dafe9d8370958664c1dc422f452892264c59526"
BUSTABIT_V2_TERMINATING = "86728f5fc3bd99db94d3cdaf105d67788194e9701bf95d049ad0e1ee3d004277"
BUSTABIT_V2_GAMES = [
    (1, "9f57575fd54cd441e962448537e155ace9555df10cd27fa817bbcaf48a59ebcf", 1549),
    (2_729_956, "79f6bbae758befa1e06f0ecb3722458144610de4bb72fd548b9709120618e54f", 131),
]
# Stake's crash (its 2019 seeding event): salt = the hash of Bitcoin block 584,500.
STAKE_SALT = "0000000000000000001b34dc6a1e86083f95500b096231436e9b25cbdd0075c4"
STAKE_TERMINATING = "78a9757d3be42b74a3f70239078ad9317125fe9ee630d5bdada46de963e56752"
STAKE_GAMES = [
    (4_324_895, "1f93980af45e9f01a6dacf9d203eb568065994fd7e2039a771dd86f6a99e36e6", 986),
    (4_294_824, "c44073c4fb9c0c5d8a2f6b3358524227a21140c1727d6eb13158e09f5360584a", 198),
]


def test_bustabit_v2_game_one_is_one_link_from_the_published_terminating_hash() -> None:
    game, game_hash, _ = BUSTABIT_V2_GAMES[0]
    assert verify_game_hash(game_hash, BUSTABIT_V2_TERMINATING, max_steps=5) == game


@pytest.mark.slow
@pytest.mark.parametrize(
    ("game", "game_hash", "terminating", "scheme"),
    [(g, h, BUSTABIT_V2_TERMINATING, "bustabit-v2") for g, h, _ in BUSTABIT_V2_GAMES]
    + [(g, h, STAKE_TERMINATING, "stake") for g, h, _ in STAKE_GAMES],
)
def test_public_game_hashes_walk_to_their_published_terminating_hash(
    game: int, game_hash: str, terminating: str, scheme: str
) -> None:
    assert verify_game_hash(game_hash, terminating, max_steps=game, scheme=scheme_named(scheme)) == game


@pytest.mark.parametrize(("game", "game_hash", "bust"), BUSTABIT_V2_GAMES)
def test_bustabit_v2_busts_hash_the_raw_bytes_of_the_game_hash(game: int, game_hash: str, bust: int) -> None:
    assert crash_point(game_hash, BUSTABIT_V2_SALT) == bust
    as_text = hmac.new(BUSTABIT_V2_SALT.encode(), game_hash.encode(), hashlib.sha256).hexdigest()
    assert max(100, math.floor(99 / (1 - int(as_text[:13], 16) / 2**52))) != bust


@pytest.mark.parametrize(("game", "game_hash", "bust"), STAKE_GAMES)
def test_stake_busts_follow_its_published_mapping(game: int, game_hash: str, bust: int) -> None:
    digest = hmac.new(game_hash.encode(), STAKE_SALT.encode(), hashlib.sha256).hexdigest()
    value = max(1.0, 2**32 / (int(digest[:8], 16) + 1) * 0.99)
    assert crash_point(game_hash, STAKE_SALT, STAKE) == bust == math.floor(value * 100)


def test_stake_bust_truncates_the_double_without_rounding_it_up() -> None:
    chain = HashChain(SEED, 2000, scheme=STAKE)
    for game in range(1, 2001):
        bust = chain.crash_point(game, STAKE_SALT)
        digest = hmac.new(chain.game_hash(game).encode(), STAKE_SALT.encode(), hashlib.sha256).hexdigest()
        value = 2**32 / (int(digest[:8], 16) + 1) * 0.99
        if value < 1:
            assert bust == 100
        else:
            assert Fraction(bust, 100) <= Fraction(value) < Fraction(bust + 1, 100)


def test_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="bustabit-v2, stake"):
        scheme_named("bustabit-v1")
