"""A free round as the round flow plays it: the campaign's stake for the session's currency, the bet flagged free
(amount 0, so cash is never debited, with the campaign in its bonus context), the closing win as the campaign pays it,
and the claim of one of the player's rounds left, written with the round."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from games.registry import get_engine
from simulator.bonus import context
from simulator.catalog.models import Catalog
from simulator.errors import Conflict, Forbidden, NotFound
from simulator.lifecycle import PayoutMode
from simulator.store.campaigns import Campaign, CampaignRepository
from simulator.store.database import Tx
from simulator.store.records import Round, Session, Transaction


@dataclass(frozen=True, slots=True)
class FreeRound:
    campaign: Campaign
    bet_value: int

    def flag(self, bet: Transaction) -> Transaction:
        """The round's opening bet as sent: nothing to debit, the campaign named."""
        return dataclasses.replace(bet, amount=0, bonus=context.free_round(self.campaign.campaign_id, self.bet_value))

    def paid(self, win: int) -> int:
        """What the round's closing win pays: the win itself, or 0 when the campaign pays one total at the end."""
        return win if self.campaign.payout == PayoutMode.PER_ROUND else 0

    def claim(
        self, campaigns: CampaignRepository, session: Session, round_: Round, now: float
    ) -> Callable[[Tx], Awaitable[None]]:
        async def take(tx: Tx) -> None:
            await campaigns.claim(tx, self.campaign.campaign_id, session, round_, now)

        return take


async def free_round(
    campaigns: CampaignRepository, catalog: Catalog, session: Session, campaign_id: str, now: float
) -> FreeRound:
    """The free round ``session`` may play on ``campaign_id``, or the 4xx that says why not. Whether a round is left is
    decided by the claim, atomically with the round."""
    if session.demo:
        raise Forbidden("demo sessions play no free rounds", code="FREE_ROUNDS_NOT_AVAILABLE")
    campaign = await campaigns.get(campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id!r}", code="UNKNOWN_CAMPAIGN")
    if session.game_id not in campaign.games:
        raise Forbidden(f"campaign {campaign_id!r} does not cover {session.game_id}", code="GAME_NOT_IN_CAMPAIGN")
    if not campaign.running(now):
        raise Conflict(f"campaign {campaign_id!r} is not running ({campaign.status})", code="CAMPAIGN_NOT_RUNNING")
    bet_value = campaign.bet_values.get(session.currency)
    if bet_value is None:
        raise Conflict(
            f"campaign {campaign_id!r} has no stake in {session.currency}", code="CAMPAIGN_CURRENCY_MISMATCH"
        )
    if get_engine(catalog.game(session.game_id).engine_id).multi_step:  # refused at creation; the catalogue may change
        raise Forbidden(f"{session.game_id} plays no free rounds", code="GAME_NOT_ELIGIBLE")
    return FreeRound(campaign, bet_value)
