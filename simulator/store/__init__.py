"""Persistence behind one interface: ``Database``, with SQLite (embedded default) and PostgreSQL (shared)."""

from simulator.store.database import Database, Row, Tx, open_database

__all__ = ["Database", "Row", "Tx", "open_database"]
