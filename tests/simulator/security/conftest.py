from tests.databases import database_url, db, pg_url

__all__ = ["database_url", "db", "pg_url"]
