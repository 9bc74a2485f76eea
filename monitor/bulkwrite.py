"""Many rows through one statement, their values bound once per distinct value.

`connection.execute(statement, rows)` builds every row's parameters through SQLAlchemy's
general path: for the sweep's 55,000 new flags that was most of a second of a large sweep,
more than SQLite took to store them. Here the statement is compiled once per column set, and
each value goes through its column type's own bind processor (the very conversion
SQLAlchemy applies, so what is stored is identical), remembered per distinct value: a batch
shares a few instants, statuses and facilities among thousands of rows.

On PostgreSQL an INSERT of many rows (`insert_rows`) goes through `COPY ... FROM STDIN`, the
bulk path PostgreSQL provides: no statement to parse per row batch, the rows adapted by
psycopg as they stream, the values bound by the same processors. Other statements (the sweep's
UPDATE) keep SQLAlchemy's executemany there.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Table, Uuid, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]
# (id of the statement, column keys, dialect name) -> (the statement, kept so that its id is
# not reused; SQL text; [(key, processor, memo or None)] in parameter order)
_Binder = tuple[str, Processor | None, dict | None]
_PLANS: dict[tuple[int, tuple[str, ...], str], tuple[Executable, str, list[_Binder]]] = {}


def _plan(connection: Connection, statement: Executable, keys: tuple[str, ...]
          ) -> tuple[str, list[_Binder]]:
    """The statement's SQL for these keys and, in parameter order, how to bind each key."""
    cache_key = (id(statement), keys, connection.dialect.name)
    cached = _PLANS.get(cache_key)
    if cached is not None and cached[0] is statement:
        return cached[1], cached[2]
    dialect = connection.dialect
    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect, column_keys=list(keys)))
    order = compiled.positiontup or list(compiled.binds)
    binders: list[_Binder] = []
    for name in order:
        bind = compiled.binds[name]
        # the dialect's own type (as SQLAlchemy binds): a decorated type's conversion, then its impl's
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        binders.append((bind.key, processor, _memo_for(bind.type)))
    _PLANS[cache_key] = (statement, compiled.string, binders)
    return compiled.string, binders


def _memo_for(column_type: Any) -> dict | None:
    """A memo for values a batch repeats (instants); none for JSON (lists and dicts are not
    hashable) and ids (each new, so a memo would only cost a lookup)."""
    if isinstance(column_type, (JSON, Uuid)) or isinstance(getattr(column_type, "impl", None), (JSON, Uuid)):
        return None
    return {}


def _bound_columns(binders: list[_Binder], rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Each binder's column of values, bound."""
    columns = []
    for key, processor, memo in binders:
        values = [row[key] for row in rows]
        if processor is None:
            columns.append(values)
        elif memo is None:
            columns.append([processor(v) for v in values])
        else:
            if len(memo) > 4096:
                memo.clear()
            columns.append([_remembered(memo, processor, v) for v in values])
    return columns


def _remembered(memo: dict, processor: Processor, value: Any) -> Any:
    """processor(value), computed once per distinct value."""
    bound = memo.get(value, _MISSING)
    if bound is _MISSING:
        bound = memo[value] = processor(value)
    return bound


_MISSING = object()


_INSERTS: dict[Table, Executable] = {}


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """`connection.execute(insert(table), rows)`, written as the module says."""
    if rows and connection.dialect.name == "postgresql":
        _copy_rows(connection, table, rows)
        return
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    execute_many(connection, statement, rows)


def execute_many(connection: Connection, statement: Executable, rows: Sequence[dict[str, Any]]) -> None:
    """`connection.execute(statement, rows)` for a statement made once (a module constant: its
    plan is kept), every row having the same keys (those of the first); on SQLite bound as the
    module says."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(statement, list(rows))
        return
    sql, binders = _plan(connection, statement, tuple(rows[0]))
    columns = _bound_columns(binders, rows)
    connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _copy_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """insert_rows() on PostgreSQL: one COPY in the connection's transaction."""
    keys = tuple(rows[0])
    sql, binders = _copy_plan(connection, table, keys)
    columns = _bound_columns(binders, rows)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        with cursor.copy(sql) as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
    except driver_error as error:  # as SQLAlchemy raises it (a unique violation: IntegrityError)
        raise DBAPIError.instance(sql, None, error, driver_error) from error
    finally:
        cursor.close()


def _copy_plan(connection: Connection, table: Table, keys: tuple[str, ...]) -> tuple[str, list[_Binder]]:
    """The COPY statement for these columns of `table`, and how to bind each (as _plan)."""
    cache_key = (id(table), keys, "copy")
    cached = _PLANS.get(cache_key)
    if cached is not None and cached[0] is table:
        return cached[1], cached[2]
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    binders: list[_Binder] = []
    for key in keys:
        column_type = table.c[key].type
        binders.append((key, column_type.dialect_impl(dialect).bind_processor(dialect), _memo_for(column_type)))
    sql = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(table.c[k].name) for k in keys)})"
           " FROM STDIN")
    _PLANS[cache_key] = (cast(Executable, table), sql, binders)
    return sql, binders
