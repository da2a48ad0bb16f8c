"""The live socket's messages: one JSON Schema per message type, server to client and client to server.
docs/live.md shows them and the tests validate every message a socket sends against its schema."""

from __future__ import annotations

from typing import Any

_ID = {"type": "string", "minLength": 1}
_MONEY = {"type": "integer", "minimum": 0}
_TIME = {"type": "number"}
_TEXT = {"type": "string"}
_COUNT = {"type": "integer", "minimum": 0}
_INT_OR_NULL = {"type": ["integer", "null"]}  # a balance the wallet did not report, a win not decided yet
_REFUSAL = {"code": _TEXT, "message": _TEXT, "ref": {}}
_BETS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["type", "amount"],
        "properties": {"type": _TEXT, "amount": _MONEY},
    },
}
_ROUND = {
    "type": "object",
    "required": ["round_id", "round_no", "phase", "opened_at", "closes_at", "server_seed_hash"],
    "properties": {
        "round_id": _ID,
        "round_no": {"type": "integer", "minimum": 1},
        "phase": {"enum": ["betting", "closed", "decided", "settled"]},
        "opened_at": _TIME,
        "closes_at": _TIME,
        "server_seed_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "result": {"type": ["object", "null"]},
    },
}
_MY_BET = {
    "type": "object",
    "required": ["bet_id", "round_id", "stake", "bets", "status"],
    "properties": {
        "bet_id": _ID,
        "round_id": _ID,
        "stake": _MONEY,
        "bets": _BETS,
        "status": _TEXT,
        "win": _INT_OR_NULL,
    },
}


def _message(kind: str, required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": kind,
        "type": "object",
        "required": ["type", *required],
        "properties": {"type": {"const": kind}, **properties},
    }


SERVER_MESSAGES: dict[str, dict[str, Any]] = {
    "table_state": _message(
        "table_state",
        ["table_id", "game_id", "engine_id", "currency", "limits", "round", "history", "open_bets", "players", "now"],
        {
            "table_id": _ID,
            "game_id": _ID,
            "engine_id": _ID,
            "currency": {"type": "string", "minLength": 3, "maxLength": 3},
            "limits": {
                "type": "object",
                "required": ["min_bet", "max_total"],
                "properties": {"min_bet": _MONEY, "max_total": _MONEY},
            },
            "round": {"oneOf": [_ROUND, {"type": "null"}]},
            "history": {"type": "array"},
            "open_bets": {"type": "array", "items": _MY_BET},
            "players": _COUNT,
            "balance": _INT_OR_NULL,
            "chain": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["scheme", "terminating_hash", "salt", "length"],
                        "properties": {
                            "scheme": {"const": "bustabit-v2"},
                            "terminating_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            "salt": _TEXT,
                            "length": {"type": "integer", "minimum": 1},
                        },
                    },
                ]
            },
            "now": _TIME,
        },
    ),
    "round_opened": _message("round_opened", ["round"], {"round": _ROUND}),
    "no_more_bets": _message("no_more_bets", ["round_id"], {"round_id": _ID}),
    "result": _message(
        "result",
        ["round_id", "round_no", "result", "server_seed", "server_seed_hash", "road"],
        {
            "round_id": _ID,
            "round_no": {"type": "integer"},
            "result": {"type": "object"},
            "server_seed": _TEXT,
            "server_seed_hash": _TEXT,
            "road": {},
        },
    ),
    "bet_accepted": _message("bet_accepted", ["bet", "balance"], {"bet": _MY_BET, "balance": _INT_OR_NULL, "ref": {}}),
    "bet_refused": _message("bet_refused", ["code", "message"], _REFUSAL),
    "bet_cancelled": _message("bet_cancelled", ["bet_id"], {"bet_id": _ID, "ref": {}}),
    "settlement": _message(
        "settlement",
        ["round_id", "bet_id", "stake", "win", "status", "balance"],
        {
            "round_id": _ID,
            "bet_id": _ID,
            "stake": _MONEY,
            "win": _MONEY,
            "status": _TEXT,
            "balance": _INT_OR_NULL,
        },
    ),
    "player_count": _message("player_count", ["players"], {"players": _COUNT}),
    "pong": _message("pong", ["now"], {"now": _TIME, "ref": {}}),
    "error": _message("error", ["code", "message"], _REFUSAL),
}

CLIENT_MESSAGES: dict[str, dict[str, Any]] = {
    "place_bet": _message("place_bet", ["bets"], {"bets": _BETS, "round_id": _ID, "ref": {}}),
    "cancel_bet": _message("cancel_bet", ["bet_id"], {"bet_id": _ID, "ref": {}}),
    "ping": _message("ping", [], {"ref": {}}),
}
