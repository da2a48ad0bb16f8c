"""The bonus context a transaction carries to the wallet, dialect-neutral: what ``WalletCall.bonus`` holds and each
dialect maps to its own fields (docs/bonus.md has the table). Stored with the transaction as JSON, so every retry
sends the same context.

- ``free_round``: a bet of a campaign's free round (its amount is 0: cash is never debited), that round's win and a
  rollback of its bet; ``bet_value`` is the stake the round was played with;
- ``campaign_total``: the one win that pays a ``total`` campaign's sum when the player's share of it closes;
- ``promo``: a win with no bet (tournament prize, prize drop), idempotent on the operator's ``reference``;
- ``jackpot``: a progressive jackpot's win, its own transaction in a wallet round of its own; ``reference`` is the
  round that triggered it (``simulator.bonus.jackpots``), ``promotion`` the jackpot's name, so every dialect that
  maps a promotional win maps it too.
"""

from __future__ import annotations

import json
from typing import Any, Literal

BonusType = Literal["free_round", "campaign_total", "promo", "jackpot"]
FREE_ROUND: BonusType = "free_round"
CAMPAIGN_TOTAL: BonusType = "campaign_total"
PROMO: BonusType = "promo"
JACKPOT: BonusType = "jackpot"
TYPES: tuple[BonusType, ...] = (FREE_ROUND, CAMPAIGN_TOTAL, PROMO, JACKPOT)
CASH_TYPES = frozenset({PROMO, JACKPOT})
"""Bonus wins the reference wallet credits to cash; the others go to the bonus balance, as free-round wins do."""


def free_round(campaign_id: str, bet_value: int) -> str:
    return encode({"type": FREE_ROUND, "campaign_id": campaign_id, "bet_value": bet_value})


def campaign_total(campaign_id: str, rounds: int) -> str:
    return encode({"type": CAMPAIGN_TOTAL, "campaign_id": campaign_id, "rounds": rounds})


def promo(reference: str, promotion: str) -> str:
    return encode({"type": PROMO, "reference": reference, "promotion": promotion})


def jackpot(jackpot_id: str, round_id: str) -> str:
    return encode({"type": JACKPOT, "reference": round_id, "promotion": jackpot_id})


def encode(context: dict[str, Any]) -> str:
    return json.dumps(context, sort_keys=True, separators=(",", ":"))


def decode(stored: str | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    value: dict[str, Any] = json.loads(stored)
    return value
