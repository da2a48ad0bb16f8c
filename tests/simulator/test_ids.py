import uuid

from simulator.ids import RandomIds, SeededIds


def test_random_uuids_are_version_7_with_the_millisecond_in_front() -> None:
    ids = RandomIds(now_ns=lambda: 1_700_000_000_123_456_789)
    value = uuid.UUID(ids.uuid())
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 == 1_700_000_000_123


def test_random_uuids_sort_by_time_and_never_repeat() -> None:
    clock = iter(range(0, 10**12, 10**6))  # one millisecond per id
    ids = RandomIds(now_ns=lambda: next(clock))
    made = [ids.uuid() for _ in range(20_000)]
    assert made == sorted(made)
    same_ms = RandomIds(now_ns=lambda: 5 * 10**6)
    assert len({same_ms.uuid() for _ in range(20_000)}) == 20_000


def test_seeded_uuids_repeat_for_the_same_seed() -> None:
    assert [SeededIds(3).uuid() for _ in range(2)] == [SeededIds(3).uuid()] * 2
    assert SeededIds(3).uuid() != SeededIds(4).uuid()
