"""Versioned schemas: each store names its component and lists its migrations in order; ``Database.migrate`` brings
the component's tables up to the last one at start.

A migration is a sequence of statements (``{serial}`` and ``{real}`` as in every DDL here). Migration ``n`` runs once,
on a database at version ``n - 1``, and the table ``schema_versions`` records the component's version in the same
transaction, so an upgrade applies whole or not at all (both engines run DDL inside transactions). A database made
before versions were recorded has its tables and no row: migration 1 is the schema as it was then, every statement
``IF NOT EXISTS``, so on such a database it changes nothing and the row for version 1 adopts it. Hence the rules:

- migration 1 of a component stays exactly as it is; a change is a new migration at the end of the list;
- a migration is never edited once released: databases that ran it would not see the edit.

A database at a version beyond the code's list (written by a newer release) is refused with ``SchemaTooNew``: older
code would misread columns it does not know. Processes starting together on one PostgreSQL database take turns under
an advisory lock; on SQLite ``BEGIN IMMEDIATE`` already lets one writer in at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulator.store.database import StoreError, Tx

Migration = Sequence[str]

VERSIONS_DDL = "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"


class SchemaTooNew(StoreError, code="SCHEMA_TOO_NEW"): ...


async def schema_version(tx: Tx, component: str) -> int:
    """The component's recorded version; 0 when none is (a new database, or one made before versions)."""
    row = await tx.fetchone(f"SELECT version FROM schema_versions WHERE component = ?{tx.for_update}", component)  # noqa: S608
    return 0 if row is None else int(row["version"])


async def upgrade(tx: Tx, component: str, migrations: Sequence[Migration], ddl_types: Mapping[str, str]) -> int:
    """Apply the migrations of ``component`` the database lacks, inside ``tx``; returns the version reached."""
    if not migrations:
        raise ValueError(f"{component}: no migrations")
    await tx.execute(VERSIONS_DDL)
    current = await schema_version(tx, component)
    latest = len(migrations)
    if current > latest:
        raise SchemaTooNew(
            f"the database holds schema version {current} of {component!r}, newer than this release knows"
            f" (version {latest}): run the release that wrote it, or a later one"
        )
    for statements in migrations[current:]:
        for statement in statements:
            await tx.execute(statement.format(**ddl_types))
    if current == 0:
        await tx.execute("INSERT INTO schema_versions (component, version) VALUES (?, ?)", component, latest)
    elif current < latest:
        await tx.execute("UPDATE schema_versions SET version = ? WHERE component = ?", latest, component)
    return latest
