"""The errors the store raises, whatever the backend.

Every backend raises the DB-API exception classes of Python's sqlite3 module
(the PostgreSQL backend maps psycopg's onto them), so callers outside the
store catch these names and never a driver's own.
"""

from __future__ import annotations

import sqlite3

StoreError = sqlite3.Error  # anything the store could not do
StoreOperationalError = sqlite3.OperationalError  # disk full, locked, connection lost
StoreIntegrityError = sqlite3.IntegrityError  # a key or constraint violation

__all__ = ["StoreError", "StoreIntegrityError", "StoreOperationalError"]
