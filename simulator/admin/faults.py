"""Fault rules at run time (``/admin/faults``) and the exchange journal (``/admin/journal``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from simulator.errors import RequestError
from simulator.faults.rules import FaultFile, FaultRule
from simulator.faults.runtime import FaultRuntime
from simulator.http import (
    AFTER,
    IntRange,
    M,
    QueryParam,
    RouteDoc,
    documented,
    enum_schema,
    int_query,
    json_response,
    read_model,
)
from simulator.state import FAULTS

_RULE_ERRORS = ("INVALID_FAULT", "INVALID_JSON", "DUPLICATE_FAULT")


class RuleOut(BaseModel):
    id: str
    description: str
    enabled: bool
    match: dict[str, Any]
    action: dict[str, Any]
    schedule: dict[str, Any]
    counters: dict[str, int]


class RuleList(BaseModel):
    rules: list[RuleOut]
    header: dict[str, Any]


class JournalPage(BaseModel):
    entries: list[dict[str, Any]]
    size: int
    recorded: int


async def _read(request: web.Request, model: type[M]) -> M:
    """A rule or a rule file as its own model configures it (JSON types as written); refused: ``INVALID_FAULT``."""
    return await read_model(request, model, strict=None, code="INVALID_FAULT")


def _listing(faults: FaultRuntime) -> dict[str, Any]:
    requested = faults.requested
    return {
        "rules": [c.to_json() for c in faults.rules],
        "header": {"enabled": requested.enabled, "active": requested.active, "max_active": requested.max_active},
    }


@documented(RouteDoc("Fault rules in priority order, with their counters", "admin", response=RuleList))
async def list_rules(request: web.Request) -> web.Response:
    return json_response(_listing(request.app[FAULTS]))


@documented(
    RouteDoc(
        "Add a fault rule (last in priority)",
        "admin",
        request=FaultRule,
        response=RuleOut,
        status=201,
        errors=_RULE_ERRORS,
    )
)
async def add_rule(request: web.Request) -> web.Response:
    rule = await _read(request, FaultRule)
    return json_response(request.app[FAULTS].rules.add(rule).to_json(), status=201)


@documented(
    RouteDoc("Replace every fault rule at once", "admin", request=FaultFile, response=RuleList, errors=_RULE_ERRORS)
)
async def replace_rules(request: web.Request) -> web.Response:
    file = await _read(request, FaultFile)
    faults = request.app[FAULTS]
    faults.rules.replace_all(file.rules)
    return json_response(_listing(faults))


@documented(RouteDoc("Remove every fault rule", "admin", response=RuleList))
async def clear_rules(request: web.Request) -> web.Response:
    faults = request.app[FAULTS]
    faults.rules.replace_all([])
    return json_response(_listing(faults))


@documented(RouteDoc("One fault rule with its counters", "admin", response=RuleOut, errors=("UNKNOWN_FAULT",)))
async def get_rule(request: web.Request) -> web.Response:
    return json_response(request.app[FAULTS].rules.get(request.match_info["rule_id"]).to_json())


@documented(
    RouteDoc(
        "Replace one fault rule in place (its counters start again)",
        "admin",
        request=FaultRule,
        response=RuleOut,
        errors=(*_RULE_ERRORS, "UNKNOWN_FAULT", "FAULT_ID_MISMATCH"),
    )
)
async def replace_rule(request: web.Request) -> web.Response:
    rule = await _read(request, FaultRule)
    return json_response(request.app[FAULTS].rules.replace(request.match_info["rule_id"], rule).to_json())


@documented(RouteDoc("Remove one fault rule", "admin", errors=("UNKNOWN_FAULT",)))
async def remove_rule(request: web.Request) -> web.Response:
    rule_id = request.match_info["rule_id"]
    request.app[FAULTS].rules.remove(rule_id)
    return json_response({"removed": rule_id})


@documented(RouteDoc("Reset every rule's counters and time window", "admin", response=RuleList))
async def reset_all(request: web.Request) -> web.Response:
    faults = request.app[FAULTS]
    faults.rules.reset()
    return json_response(_listing(faults))


@documented(RouteDoc("Reset one rule's counters and time window", "admin", response=RuleOut, errors=("UNKNOWN_FAULT",)))
async def reset_one(request: web.Request) -> web.Response:
    rules = request.app[FAULTS].rules
    rule_id = request.match_info["rule_id"]
    rules.reset(rule_id)
    return json_response(rules.get(rule_id).to_json())


_SIDES = ("inbound", "outbound")
_STATUS = IntRange(100, 599)
_LIMIT = IntRange(1, 1000)
_JOURNAL_QUERY: tuple[QueryParam, ...] = (
    ("side", "inbound or outbound", enum_schema(_SIDES)),
    ("operation", "play, launch, games, bet, win, rollback..."),
    ("player", "player id"),
    ("session", "game session token"),
    ("round", "round id"),
    ("transaction", "transaction id"),
    ("fault", "a rule id, or * for every faulted exchange"),
    ("status", "HTTP status", _STATUS.schema),
    ("after", "only exchanges after this seq (oldest first); without it, the latest", AFTER.schema),
    ("limit", "1 to 1000, default 100", _LIMIT.schema),
)


def _int(request: web.Request, name: str, default: int | None, bounds: IntRange) -> int | None:
    if name not in request.query:
        return default
    return int_query(request, name, bounds.low, bounds)


@documented(
    RouteDoc("Recent inbound and outbound exchanges, filtered", "admin", response=JournalPage, query=_JOURNAL_QUERY)
)
async def journal(request: web.Request) -> web.Response:
    q = request.query
    side = q.get("side")
    if side is not None and side not in _SIDES:
        raise RequestError("query parameter side must be inbound or outbound")
    journal = request.app[FAULTS].journal
    entries = journal.query(
        side=side,
        operation=q.get("operation"),
        player=q.get("player"),
        session=q.get("session"),
        round=q.get("round"),
        transaction=q.get("transaction"),
        fault=q.get("fault"),
        status=_int(request, "status", None, _STATUS),
        after=_int(request, "after", None, AFTER),
        limit=_int(request, "limit", 100, _LIMIT) or 100,
    )
    return json_response({"entries": entries, "size": journal.size, "recorded": journal.recorded})


@documented(RouteDoc("Forget every journaled exchange", "admin", response=JournalPage))
async def clear_journal(request: web.Request) -> web.Response:
    journal = request.app[FAULTS].journal
    journal.clear()
    return json_response({"entries": [], "size": journal.size, "recorded": journal.recorded})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/faults", list_rules)
    app.router.add_post("/admin/faults", add_rule)
    app.router.add_put("/admin/faults", replace_rules)
    app.router.add_delete("/admin/faults", clear_rules)
    app.router.add_post("/admin/faults/reset", reset_all)
    app.router.add_get("/admin/faults/{rule_id}", get_rule)
    app.router.add_put("/admin/faults/{rule_id}", replace_rule)
    app.router.add_delete("/admin/faults/{rule_id}", remove_rule)
    app.router.add_post("/admin/faults/{rule_id}/reset", reset_one)
    app.router.add_get("/admin/journal", journal)
    app.router.add_delete("/admin/journal", clear_journal)
