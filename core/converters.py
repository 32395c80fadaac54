"""The path converter of record ids, `<id:pk>`, registered by CoreConfig.ready().

Django's `<int:...>` takes a number of any length. One past the database's integer (2**63 - 1)
then fails inside a query the ORM did not build for it (a compiled one, core/querysets.py) or on
SQLite (OverflowError): a 500 where the record simply does not exist. Eighteen digits at most
stay below the limit, and a longer number matches no URL at all: a 404 like any unknown record.
"""

from __future__ import annotations

# The largest id an address can hold: an unknown record's 404 all the same.
LARGEST_ID = 10**18 - 1


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
