"""Playing cards as the public provably-fair mapping numbers them: ``idx`` 0-51, rank ``idx // 4``, suit ``idx % 4``.

Ranks run 2, 3, ..., 10, J, Q, K, A (rank index 0-12) and suits ♦ ♥ ♠ ♣, so a card drawn with ``rng.index(52)``
reads the same here as in any public verifier. A multi-deck shoe repeats 0-51 once per deck.
"""

from __future__ import annotations

RANKS = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "A")
SUITS = ("♦", "♥", "♠", "♣")
ACE = 12


def rank(card: int) -> int:
    return card // 4


def label(card: int) -> str:
    return RANKS[card // 4] + SUITS[card % 4]


def blackjack_value(card: int) -> int:
    """2-10 at face, court cards 10, ace 1 (hands count one ace as 11 when that does not bust)."""
    r = card // 4
    return 1 if r == ACE else min(r + 2, 10)


def baccarat_value(card: int) -> int:
    """Face value modulo 10: tens and court cards 0, ace 1."""
    return blackjack_value(card) % 10
