"""What a round and its transactions may become, and on which event: the one place these rules are written.

A round's status moves only by an event of ``ROUND_TRANSITIONS``, from one of that event's sources; the store applies
an event with one conditional update (``... WHERE round_id = ? AND status IN (<sources>)``), which changes nothing when
the round has moved meanwhile (a worker took it over, a twin recorded it first). A transaction moves only out of
``pending``, once. The functions below name the events the round flow and the settlement worker meet and return what
recording each one writes: the transaction's new status, the round's event, and the follow-up transaction the event
implies (a bet whose outcome is unknown implies its rollback; an acknowledged single-step bet implies the closing
win). docs/settlement.md draws ``ROUND_TRANSITIONS``, and a test holds the drawing to the table.

Statuses are ``StrEnum`` members, so the strings stored and sent stay what they always were.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict

from simulator.store.records import Round, Session, Transaction

if TYPE_CHECKING:
    from simulator.catalog.models import Game


class RoundStatus(StrEnum):
    OPEN = "open"
    ACTING = "acting"  # a player action holds the round (multi-step)
    SETTLING = "settling"  # its closing win is queued
    ROLLING_BACK = "rolling_back"  # its opening bet's rollback is queued
    MANUAL = "manual"  # waits for a person
    CLOSED = "closed"
    VOID = "void"
    ROLLED_BACK = "rolled_back"


class TransactionStatus(StrEnum):
    PENDING = "pending"  # to deliver, or in flight
    ACKED = "acked"
    REFUSED = "refused"  # the wallet said no: final
    FAILED = "failed"  # a bet whose outcome is unknown: its rollback is queued
    ABANDONED = "abandoned"  # retried past the age limit


class TransactionKind(StrEnum):
    BET = "bet"
    WIN = "win"
    ROLLBACK = "rollback"


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # rounds not yet played are void


class PayoutMode(StrEnum):
    PER_ROUND = "per_round"  # each free round's win is paid with the round
    TOTAL = "total"  # each round closes with a win of 0; the sum is paid once, when the player's campaign closes


class AssignmentStatus(StrEnum):
    """A player's share of a campaign: ``active`` while it has rounds left or in flight, then ``closed`` once (played
    out, expired or cancelled), which is when a ``total`` campaign's sum is queued; a closed assignment never opens
    again, so the sum is queued once."""

    ACTIVE = "active"
    CLOSED = "closed"


class FreeRoundStatus(StrEnum):
    """A round played on a campaign: claimed with the round (one of the player's rounds left moves to in flight),
    then ``played`` when the wallet takes its free bet, or ``returned`` to the player when the bet is refused or
    rolled back, so no free round is lost to a wallet failure."""

    IN_FLIGHT = "in_flight"
    PLAYED = "played"
    RETURNED = "returned"


def free_round_after(bet_status: TransactionStatus) -> FreeRoundStatus:
    """What a free bet's settled status makes of its free round."""
    return FreeRoundStatus.PLAYED if bet_status == TransactionStatus.ACKED else FreeRoundStatus.RETURNED


ROUND_STATUSES = tuple(RoundStatus)
FINAL_ROUND_STATUSES = frozenset({RoundStatus.CLOSED, RoundStatus.VOID, RoundStatus.ROLLED_BACK})
UNSETTLED_ROUND_STATUSES = tuple(s for s in RoundStatus if s not in FINAL_ROUND_STATUSES)
TRANSACTION_STATUSES = tuple(TransactionStatus)


class RoundEvent(StrEnum):
    BET_REFUSED = "bet refused"
    BET_OUTCOME_UNKNOWN = "bet outcome unknown"
    BET_ORPHANED = "bet orphaned"
    BET_CANCELLED = "bet cancelled"
    ACTION_CLAIMED = "action claimed"
    ACTION_DONE = "action done"
    EXTRA_BET_ORPHANED = "extra bet orphaned"
    ACTION_ABANDONED = "action abandoned"
    CLOSING_WIN_QUEUED = "closing win queued"
    FINAL_ACTION_DONE = "final action done"
    WIN_ACKNOWLEDGED = "win acknowledged"
    ROLLED_BACK = "rolled back"
    REFUSED = "refused"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class Transition:
    sources: tuple[RoundStatus, ...]
    target: RoundStatus
    # moves into or out of ``acting`` count a version, which a player action claims the round against
    versioned: bool = False


_S = RoundStatus
# ``refused`` and ``abandoned`` leave any unsettled round that is not already waiting for a person: a refund of an
# extra bet (double, split) is refused or abandoned while its round is open or acting
_AWAITING_MONEY = (_S.OPEN, _S.ACTING, _S.SETTLING, _S.ROLLING_BACK)

ROUND_TRANSITIONS: dict[RoundEvent, Transition] = {
    RoundEvent.BET_REFUSED: Transition((_S.OPEN,), _S.VOID),
    RoundEvent.BET_OUTCOME_UNKNOWN: Transition((_S.OPEN,), _S.ROLLING_BACK),
    RoundEvent.BET_ORPHANED: Transition((_S.OPEN, _S.ACTING), _S.ROLLING_BACK),
    RoundEvent.BET_CANCELLED: Transition((_S.OPEN,), _S.ROLLING_BACK),
    RoundEvent.ACTION_CLAIMED: Transition((_S.OPEN,), _S.ACTING, versioned=True),
    RoundEvent.ACTION_DONE: Transition((_S.ACTING,), _S.OPEN, versioned=True),
    RoundEvent.EXTRA_BET_ORPHANED: Transition((_S.ACTING,), _S.OPEN, versioned=True),
    RoundEvent.ACTION_ABANDONED: Transition((_S.ACTING,), _S.OPEN, versioned=True),
    RoundEvent.CLOSING_WIN_QUEUED: Transition((_S.OPEN,), _S.SETTLING),
    RoundEvent.FINAL_ACTION_DONE: Transition((_S.ACTING,), _S.SETTLING, versioned=True),
    RoundEvent.WIN_ACKNOWLEDGED: Transition((_S.SETTLING,), _S.CLOSED),
    RoundEvent.ROLLED_BACK: Transition((_S.ROLLING_BACK,), _S.ROLLED_BACK),
    RoundEvent.REFUSED: Transition(_AWAITING_MONEY, _S.MANUAL),
    RoundEvent.ABANDONED: Transition(_AWAITING_MONEY, _S.MANUAL),
}


def diagram() -> str:
    """``ROUND_TRANSITIONS`` drawn one transition per line, as docs/settlement.md shows it."""
    return "\n".join(f"{' | '.join(t.sources)} --{event}--> {t.target}" for event, t in ROUND_TRANSITIONS.items())


# not frozen, like the store's records: built several times a round (simulator.store.records says why)
@dataclass(slots=True)
class Step:
    """What recording an event on a pending transaction writes, atomically: the transaction's new status, the
    round's event (if the round moves), and the transaction that follows (if any)."""

    status: TransactionStatus
    round_event: RoundEvent | None = None
    follow_up: Transaction | None = None


def open_round(
    session: Session,
    game: Game,
    round_id: str,
    stake: int,
    now: float,
    *,
    win: int,
    params: dict[str, Any],
    outcome: dict[str, Any],
    server_seed_hash: str,
    client_seed: str,
    nonce: int,
) -> Round:
    """A new ``open`` round of ``session``'s player on ``game`` (a slot's, or a live table's) from its fairness
    inputs."""
    return Round(
        round_id=round_id,
        session_token=session.token,
        player_id=session.player_id,
        game_id=game.game_id,
        studio_id=game.studio_id,
        engine_id=game.engine_id,
        currency=session.currency,
        stake=stake,
        win=win,
        status=str(RoundStatus.OPEN),  # records hold plain strings (simulator.store.records)
        params=params,
        outcome=outcome,
        server_seed_hash=server_seed_hash,
        client_seed=client_seed,
        nonce=nonce,
        version=0,
        created_at=now,
        updated_at=now,
    )


def new_transaction(
    kind: TransactionKind,
    transaction_id: str,
    round_id: str,
    *,
    player_id: str,
    session_token: str,
    wallet_session: str,
    game_id: str,
    studio_id: str,
    currency: str,
    amount: int,
    round_closed: bool,
    now: float,
    send_at: float,
    bonus: str | None = None,
    reference_transaction_id: str | None = None,
) -> Transaction:
    """A transaction as it starts: ``pending``, not tried yet, the worker's first attempt at ``send_at``."""
    return Transaction(
        seq=0,
        transaction_id=transaction_id,
        round_id=round_id,
        kind=str(kind),  # records hold plain strings (simulator.store.records)
        player_id=player_id,
        session_token=session_token,
        wallet_session=wallet_session,
        game_id=game_id,
        studio_id=studio_id,
        currency=currency,
        amount=amount,
        round_closed=round_closed,
        reference_transaction_id=reference_transaction_id,
        status=str(TransactionStatus.PENDING),
        attempts=0,
        next_attempt_at=send_at,
        last_error=None,
        balance_after=None,
        created_at=now,
        updated_at=now,
        bonus=bonus,
    )


def pending_bet(
    session: Session,
    transaction_id: str,
    round_id: str,
    amount: int,
    now: float,
    *,
    send_at: float,
    game_id: str | None = None,
    studio_id: str | None = None,
) -> Transaction:
    """A pending bet of ``session``'s player in the round (on the session's game unless ``game_id`` and ``studio_id``
    name a table's); ``send_at`` is the worker's first attempt, the caller sending it inline first."""
    return new_transaction(
        TransactionKind.BET,
        transaction_id,
        round_id,
        player_id=session.player_id,
        session_token=session.token,
        wallet_session=session.operator_token,
        game_id=session.game_id if game_id is None else game_id,
        studio_id=session.studio_id if studio_id is None else studio_id,
        currency=session.currency,
        amount=amount,
        round_closed=False,
        now=now,
        send_at=send_at,
    )


def follow_up(
    bet: Transaction,
    kind: TransactionKind,
    transaction_id: str,
    amount: int,
    now: float,
    *,
    closes_round: bool,
    send_at: float | None = None,
) -> Transaction:
    """A win or rollback after ``bet``: same player, session and round, pointing at the bet's transaction id.
    ``send_at`` defers the worker's first attempt (the caller sends it inline first)."""
    # built field by field rather than by dataclasses.replace, which reads every field by name: every round pays it
    return new_transaction(
        kind,
        transaction_id,
        bet.round_id,
        **parties(bet),
        amount=amount,
        round_closed=closes_round,
        now=now,
        send_at=now if send_at is None else send_at,
        bonus=bet.bonus,
        reference_transaction_id=bet.transaction_id,
    )


class Parties(TypedDict):
    """Who a transaction is between, as ``new_transaction`` takes it."""

    player_id: str
    session_token: str
    wallet_session: str
    game_id: str
    studio_id: str
    currency: str


def parties(bet: Transaction) -> Parties:
    """Those of ``bet``, for a transaction that follows it: the same player, session, wallet session, game, studio
    and currency."""
    return Parties(
        player_id=bet.player_id,
        session_token=bet.session_token,
        wallet_session=bet.wallet_session,
        game_id=bet.game_id,
        studio_id=bet.studio_id,
        currency=bet.currency,
    )


def rollback_for(
    bet: Transaction, transaction_id: str, now: float, *, closes_round: bool = True, send_at: float | None = None
) -> Transaction:
    """The rollback of ``bet``, for its amount. The rollback of an extra bet inside a multi-step round leaves the
    round open."""
    return follow_up(
        bet, TransactionKind.ROLLBACK, transaction_id, bet.amount, now, closes_round=closes_round, send_at=send_at
    )


def bet_acknowledged(win: Transaction | None = None) -> Step:
    """A bet the wallet took. With the round's closing win (the round is finished), the win is queued with it."""
    if win is None:
        return Step(TransactionStatus.ACKED)
    return Step(TransactionStatus.ACKED, RoundEvent.CLOSING_WIN_QUEUED, win)


def bet_refused(*, opening: bool) -> Step:
    """A refused opening bet voids its round; a refused extra bet leaves the round to its action."""
    return Step(TransactionStatus.REFUSED, RoundEvent.BET_REFUSED if opening else None)


def bet_outcome_unknown(rollback: Transaction, *, opening: bool) -> Step:
    """No usable answer to a bet: its fate is unknown, so it is rolled back (``rollback_for``)."""
    return Step(TransactionStatus.FAILED, RoundEvent.BET_OUTCOME_UNKNOWN if opening else None, rollback)


def bet_orphaned(rollback: Transaction, *, opening: bool) -> Step:
    """A bet left in flight by a process that died: rolled back. Its round rolls back with an opening bet; with an
    extra bet, the round goes back to the player."""
    event = RoundEvent.BET_ORPHANED if opening else RoundEvent.EXTRA_BET_ORPHANED
    return Step(TransactionStatus.FAILED, event, rollback)


def acknowledged(t: Transaction) -> Step:
    """A win or rollback the wallet took (or a rollback with nothing left to return): a closing one ends its round."""
    if not t.round_closed:
        return Step(TransactionStatus.ACKED)
    closing = RoundEvent.ROLLED_BACK if t.kind == TransactionKind.ROLLBACK else RoundEvent.WIN_ACKNOWLEDGED
    return Step(TransactionStatus.ACKED, closing)


def refused() -> Step:
    """A win or rollback the wallet refused: nothing more is automatic; the round waits for a person."""
    return Step(TransactionStatus.REFUSED, RoundEvent.REFUSED)


def abandoned() -> Step:
    """A win or rollback retried past the age limit: the round waits for a person."""
    return Step(TransactionStatus.ABANDONED, RoundEvent.ABANDONED)


def excess_bets(round_: Round, live_bets: list[Transaction]) -> list[Transaction]:
    """The extra bets of a round left mid-action that were acknowledged but never applied to its stake (acknowledged
    bets not rolled back, in order, sum past the stake), latest first: they are to be rolled back."""
    excess = sum(b.amount for b in live_bets) - round_.stake
    out: list[Transaction] = []
    for bet in reversed(live_bets[1:]):
        if excess <= 0:
            break
        out.append(bet)
        excess -= bet.amount
    return out
