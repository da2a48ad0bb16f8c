"""The journal: bounded, filtered, and free of secrets."""

from __future__ import annotations

import gc
import json

from simulator.clock import ManualClock
from simulator.faults.journal import BODY_LIMIT, Journal


def test_ring_buffer_keeps_the_latest() -> None:
    journal = Journal(3, clock=ManualClock())
    for i in range(5):
        journal.close(journal.open("inbound", "play", "POST", f"/p/{i}", {}, b""), status=200)
    assert [e["request"]["path"] for e in journal.query()] == ["/p/2", "/p/3", "/p/4"]
    assert journal.recorded == 5 and len(journal) == 3


def test_secrets_never_appear() -> None:
    secret = "f00dcafe" * 8
    journal = Journal(10, clock=ManualClock(), secrets=[secret])
    headers = {"X-Casino-Sim-Signature": "sha256=abc", "Authorization": "Bearer x", "X-Casino-Sim-Key": "casino-sim"}
    entry = journal.open("outbound", "bet", "POST", "/wallet/bet", headers, f'{{"echo": "{secret}"}}'.encode())
    journal.close(entry, status=401, body=f"bad {secret}".encode())
    dumped = json.dumps(journal.query())
    assert secret not in dumped and "sha256=abc" not in dumped and "Bearer" not in dumped
    assert "casino-sim" in dumped


def test_filters_and_cursor() -> None:
    clock = ManualClock()
    journal = Journal(100, clock=clock)
    for i in range(6):
        entry = journal.open(
            "outbound" if i % 2 else "inbound",
            "bet" if i % 2 else "play",
            "POST",
            "/",
            {},
            b"",
            player=f"p{i % 3}",
            round=f"r{i}",
        )
        clock.advance(0.5)
        if entry is not None and i == 3:
            entry.fault("slow:delay")
        journal.close(entry, status=200 if i != 4 else 502)
    assert [e["seq"] for e in journal.query(side="outbound")] == [2, 4, 6]
    assert [e["seq"] for e in journal.query(player="p0")] == [1, 4]
    assert [e["seq"] for e in journal.query(fault="*")] == [4]
    assert [e["seq"] for e in journal.query(fault="slow")] == [4]
    assert [e["seq"] for e in journal.query(status=502)] == [5]
    assert [e["seq"] for e in journal.query(after=2, limit=2)] == [3, 4]
    assert [e["seq"] for e in journal.query(limit=2)] == [5, 6]
    first = journal.query(round="r0")[0]
    assert first["elapsed"] == 0.5 and "started" in first
    assert "elapsed" not in journal.query(round="r0", timings=False)[0]


def test_bodies_are_capped_and_binary_is_shown_escaped() -> None:
    journal = Journal(2, clock=ManualClock())
    entry = journal.open("inbound", "play", "POST", "/", {}, b"x" * (BODY_LIMIT + 10))
    journal.close(entry, status=200, body=b"\xffok")
    record = journal.query()[0]
    assert record["request"]["body"].endswith("...[10 more]")
    assert record["response"]["body"] == "\\xffok"


def test_size_zero_turns_it_off() -> None:
    journal = Journal(0, clock=ManualClock())
    assert journal.open("inbound", "play", "POST", "/", {}, b"") is None
    assert journal.query() == [] and len(journal) == 0


def test_raw_request_headers_are_shown_as_text_with_secrets_redacted_and_host_left_out() -> None:
    journal = Journal(10, clock=ManualClock())
    raw = ((b"Host", b"127.0.0.1:8080"), (b"X-Casino-Sim-Signature", b"sha256=abc"), (b"Accept", b"application/json"))
    entry = journal.open("inbound", "play", "POST", "/play/t/rounds", raw, b"")
    journal.close(entry, status=200, headers={"Content-Type": "application/json", "Server": "x", "Date": "y"})
    (record,) = journal.query()
    assert record["request"]["headers"] == {"X-Casino-Sim-Signature": "[redacted]", "Accept": "application/json"}
    assert record["response"]["headers"] == {"Content-Type": "application/json"}


def test_what_an_entry_keeps_leaves_the_garbage_collectors_sight() -> None:
    """Headers (a dictionary of strings, or raw pairs of bytes), faults and notes are tuples and dictionaries of
    strings and bytes: once collections have seen them (a pair first, then the tuple holding it), the collector no
    longer tracks them, so a thousand entries alive for a thousand rounds cost it nothing (lists and header objects
    did)."""
    journal = Journal(10, clock=ManualClock())
    entry = journal.open("outbound", "bet", "POST", "/bet", {"X-Casino-Sim-Signature": "sha256=ab"}, b"{}")
    assert entry is not None
    entry.fault("slow:delay")
    entry.note("waited 2s")
    journal.close(entry, status=200, body=b"{}", headers={"Content-Type": "application/json"})
    gc.collect()
    gc.collect()
    raw = journal.open("inbound", "play", "POST", "/play/t/rounds", ((b"Accept", b"application/json"),), b"")
    assert raw is not None
    gc.collect()
    gc.collect()
    kept = (entry.request_headers, entry.response_headers, entry.faults, entry.notes, raw.request_headers)
    assert not any(gc.is_tracked(x) for x in kept)
    assert journal.query()[0]["faults"] == ["slow:delay"] and journal.query()[0]["notes"] == ["waited 2s"]
