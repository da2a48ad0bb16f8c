"""What the commands that report from the server's store (``report``, ``audit-export``) read and where they write."""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.errors import RequestError
from simulator.settings import Settings


def stored_database_url(settings: Settings) -> str:
    """The database the server writes; a SQLite file that is not there yet is refused rather than created empty."""
    url = settings.effective_database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise RequestError(f"no database file at {url.removeprefix('sqlite:///')}: run casino-sim serve first")
    return url


def write_output(text: str, output: Path | None, *, wrote: str) -> None:
    """``text`` to standard output, or to ``output`` with ``wrote`` said on standard error."""
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(wrote, file=sys.stderr)
