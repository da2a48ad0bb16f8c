"""One line a command says when it is given an engine id that does not exist: the close matches and every valid id."""

from __future__ import annotations

import difflib

from games.registry import engine_ids


def unknown_engine(engine_id: str) -> str:
    valid = engine_ids()
    close = difflib.get_close_matches(engine_id, valid, n=3)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"no game engine {engine_id!r}{hint}; valid engine ids: {', '.join(valid)}"
