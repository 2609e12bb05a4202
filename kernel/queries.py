"""Query helpers the features share."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet


def count_by(rows: QuerySet[Any], *fields: str) -> dict[tuple[Any, ...], int]:
    """How many of ``rows`` have each combination of ``fields`` (which may be aggregate
    annotations, one per row): one ``GROUP BY`` over the query as a subquery, which the ORM
    cannot write itself (it would group the aggregates). Booleans come back as SQLite's
    0/1 or PostgreSQL's true/false: compare with ``==``, or convert."""
    sql, params = rows.order_by().values(*fields).query.get_compiler(using=rows.db).as_sql()
    columns = ", ".join(connections[rows.db].ops.quote_name(f) for f in fields)
    positions = ", ".join(str(i + 1) for i in range(len(fields)))
    grouped = f"SELECT {columns}, COUNT(*) FROM ({sql}) counted GROUP BY {positions}"  # noqa: S608 - the ORM's own compiled SQL and field names, parameters apart
    with connections[rows.db].cursor() as cursor:
        cursor.execute(grouped, params)
        return {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
