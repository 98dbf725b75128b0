"""Querysets built and compiled once per shape, then run again with other values (issue 15, P7).

On a hot path, Django spends more CPU building and compiling a query (``filter``, ``annotate``,
the compiler) than the database spends answering it: about a millisecond each on the consent
check, asked before every recognition. A ``PreparedQuery`` builds its queryset once per *shape*
with placeholder values, remembers the SQL and where each placeholder landed among its
parameters, and later only substitutes the values. The queryset stays the one definition of the
query, so a rule such as consent's ``usable_q`` is still written once.

The shape is what the caller says changes the SQL besides the values (for the consent check,
the deployment row that ``usable_q`` reads). A placeholder must reach the parameters unchanged,
as Django binds model field values; where one does not (it was folded into the SQL text, or
appears a different number of times than once per use), nothing is remembered for that shape and
the queryset runs as built every time, so a change to the query can cost speed, never
correctness.
"""

import logging
import threading
import uuid
from datetime import UTC, datetime

import psycopg
from django.db import connection

logger = logging.getLogger(__name__)

# Values no caller passes: negative ids, a fixed random UUID, a date before any record.
PLACEHOLDER_INT = (-917_305_001, -917_305_002, -917_305_003, -917_305_004)
PLACEHOLDER_UUID = uuid.UUID("9c0a4c8e-53d1-4d3e-9f3a-2f6f7f1e0c55")
PLACEHOLDER_TIME = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)

_MAX_SHAPES = 1024


class PreparedQuery:
    """A query built by ``build(**values)`` (returning a queryset), compiled once per shape.

    ``placeholders`` maps each value's name to the placeholder ``build`` is given at compile
    time; every later call passes real values of the same names.
    """

    def __init__(self, build, placeholders: dict):
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict = {}
        self._lock = threading.Lock()

    def fetch(self, shape, *, fixed: dict | None = None, **values) -> list[tuple]:
        """Return the rows of the query (a queryset of ``values_list``) for ``values``.

        ``fixed`` values go to ``build`` as they are, never as placeholders: the caller makes
        them part of ``shape``.
        """
        fixed = fixed or {}
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compile(fixed)
            with self._lock:
                if len(self._compiled) >= _MAX_SHAPES:
                    self._compiled.clear()
                self._compiled[shape] = compiled
        if compiled is False:
            return list(self._build(**values, **fixed))
        sql, params, slots = compiled
        params = list(params)
        for index, name in slots:
            params[index] = values[name]
        # The driver's own cursor, as the audit append uses (audit.services.recording): on the
        # request's connection, so in its transaction and its row-level security scope; and
        # prepared on the server, so PostgreSQL plans the query once per connection too.
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()

    def _compile(self, fixed: dict):
        queryset = self._build(**self._placeholders, **fixed)
        sql, params = queryset.query.sql_with_params()
        slots = []
        by_value = {_key(v): name for name, v in self._placeholders.items()}
        for index, param in enumerate(params):
            name = by_value.get(_key(param))
            if name is not None:
                slots.append((index, name))
        found = {name for _index, name in slots}
        if found != set(self._placeholders) or any(
            str(v) in sql for v in self._placeholders.values()
        ):
            logger.warning("query not prepared: a placeholder did not reach its parameters")
            return False
        return sql, tuple(params), tuple(slots)


def _key(value):
    # Hashable and type-aware: 1 and True, or a UUID and its string, must not match each other.
    return (
        (type(value).__name__, value)
        if isinstance(value, int | str | uuid.UUID | datetime)
        else None
    )
