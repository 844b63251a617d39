"""The declarative base every model shares."""
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, Table, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(cls, name: str, length: int = 32) -> Enum:
    """A StrEnum stored as its value in a plain string column (no native type: the same on SQLite and PostgreSQL)."""
    return Enum(cls, name=name, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def insert_unless_exists(session: Session, table: Table, **values) -> None:
    """INSERT that quietly does nothing when the key is taken, even by a transaction still in progress
    (PostgreSQL waits for it): a get-or-create that two requests can race without an error."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())


def lock_row(session: Session, model, row_id: int):
    """The row, locked until the transaction ends and read fresh, so two decisions about it never cross.

    PostgreSQL locks the row (SELECT … FOR UPDATE); SQLite has one write lock for the whole database,
    which a transaction's first write takes, so a no-op UPDATE takes it (in SQL, so no onupdate fires)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"UPDATE {model.__tablename__} SET id = id WHERE id = :id"), {"id": row_id})
    return session.scalar(select(model).where(model.id == row_id).with_for_update()
                          .execution_options(populate_existing=True))
