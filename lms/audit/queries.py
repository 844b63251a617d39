"""Reads for the admin audit log."""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from lms.audit.models import AuditEntry
from lms.paging import Page, paged


def entries_page(*, table: str | None = None, person_id: int | None = None, page: int = 1) -> Page:
    """Newest first, paged in SQL; `person_id` matches who acted and whom the row is about."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor), joinedload(AuditEntry.person))
    if table:
        query = query.where(AuditEntry.table_name == table)
    if person_id:
        query = query.where(or_(AuditEntry.actor_id == person_id, AuditEntry.person_id == person_id))
    return paged(query.order_by(AuditEntry.id.desc()), page)
