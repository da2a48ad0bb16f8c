"""A stored round as the operator API's wire models show it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from simulator.store.records import Round

_STORED_AS = {"amount": "stake"}  # wire name: the round's attribute


def round_json(r: Round, model: type[BaseModel], **given: Any) -> dict[str, Any]:
    """``r`` under ``model``'s field names, in their order; ``given`` holds the fields the round does not (a link,
    its transactions)."""
    return {
        name: given[name] if name in given else getattr(r, _STORED_AS.get(name, name)) for name in model.model_fields
    }
