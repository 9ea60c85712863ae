"""Running a ``sql/`` file with its variables bound — for ``miryoku sql``, the report and tests.

The questions read their inputs with DuckDB's ``getvariable('name')``. A variable nobody set reads
as NULL, and ``dt between NULL and NULL`` silently returns no rows; so every variable a file
references must be given, and each is set with a bound parameter (``set variable name = ?``), never
pasted into SQL text. A file declares a variable's type on a header line
``-- variable <name> <text|integer|double> <description>``; undeclared variables are text.
"""

from __future__ import annotations

import re
from pathlib import Path

from miryoku.config import SQL_DIR

_REFERENCE = re.compile(r"getvariable\(\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*\)")
_DECLARATION = re.compile(r"^--\s*variable\s+([A-Za-z_][A-Za-z0-9_]*)\s+(text|integer|double)\b(.*)$", re.M)
_CASTS = {"text": str, "integer": int, "double": float}


class QueryInputError(ValueError):
    """A variable is missing or has a value of the wrong type; the message names it and the fix."""


def referenced_variables(sql: str) -> list[str]:
    """Variables the SQL reads, in order of first use."""
    return list(dict.fromkeys(_REFERENCE.findall(sql)))


def declared_types(sql: str) -> dict[str, str]:
    return {name: kind for name, kind, _ in _DECLARATION.findall(sql)}


def coerce(sql: str, values: dict[str, object], source: str = "the query") -> dict[str, object]:
    """The values the SQL needs, typed as declared; ``QueryInputError`` for a missing or bad one."""
    types = declared_types(sql)
    out = {}
    for name in referenced_variables(sql):
        if name not in values or values[name] is None:
            raise QueryInputError(f"variable {name!r} is not set for {source}: add --var {name}=VALUE")
        kind = types.get(name, "text")
        try:
            out[name] = _CASTS[kind](values[name])
        except (TypeError, ValueError):
            raise QueryInputError(
                f"variable {name!r} must be {'an' if kind == 'integer' else 'a'} {kind}, got {values[name]!r}"
            ) from None
    return out


def run_sql(con, sql: str, values: dict[str, object], source: str = "the query"):
    """Bind the variables and run; returns the DuckDB relation's cursor (``description``, ``fetchall``)."""
    for name, value in coerce(sql, values, source).items():
        con.execute(f"set variable {name} = ?", [value])  # name matched [A-Za-z_]\w*; value bound
    return con.execute(sql)


def run_file(con, path: str | Path, values: dict[str, object]) -> tuple[list[str], list[tuple]]:
    """Columns and rows of a ``sql/`` file run with ``values``."""
    path = Path(path)
    cursor = run_sql(con, path.read_text("utf-8"), values, source=path.name)
    return [d[0] for d in cursor.description], cursor.fetchall()


def question(con, name: str, **values) -> list[dict]:
    """Rows of ``sql/questions/<name>.sql`` as dicts."""
    columns, rows = run_file(con, SQL_DIR / "questions" / f"{name}.sql", values)
    return [dict(zip(columns, row, strict=True)) for row in rows]
