"""The database part of the core (install ``driftwatch-core[db]``).

- ``models``: the ORM tables every service reads and writes
- ``engine``: one engine and session path for PostgreSQL and SQLite, the wait for
  a database to answer, the advisory lock
- ``schema``: ``init_schema``, the Alembic upgrade every service runs at start
- ``migrations``: the Alembic environment and versions, the only way the schema changes
"""
