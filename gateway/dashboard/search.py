"""Finding messages: one search box for any business or control number, plus filters.

Every filter is an equality or a range on an indexed column (migration 0006), and every number
lookup resolves to transmission ids through an index before the list is read, so a search costs the
same on 100,000 messages as on 100 (``bench/dashboard_search.py`` measures it). Numbers are matched
exactly - partners' PO numbers are identifiers, not prose - after trimming spaces.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, union
from sqlalchemy.orm import InstrumentedAttribute, Session

from gateway.database.models import Document, Interchange, Message, Transmission
from translators.numerals import is_digits

PAGE_SIZE = 50
STATUSES = ("received", "processing", "processed", "rejected", "failed")
ERROR_STATUSES = ("rejected", "failed")
DIRECTIONS = ("inbound", "outbound")
SORTS: Mapping[str, InstrumentedAttribute[Any]] = {
    "received": Transmission.received_at,
    "partner": Transmission.partner_id,
    "status": Transmission.status,
    "type": Transmission.message_type,
    "number": Transmission.business_number,
    "size": Transmission.size,
}


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """The search form, as typed values. ``status="error"`` means rejected or failed."""

    q: str = ""
    partner: str = ""
    direction: str = ""
    syntax: str = ""
    message_type: str = ""
    document_type: str = ""
    status: str = ""
    received_from: date | None = None
    received_to: date | None = None
    interchange: str = ""
    group: str = ""
    message: str = ""
    business: str = ""
    sort: str = "received"
    order: str = "desc"
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> MessageQuery:
        """Read query parameters leniently: a bad value becomes a problem shown to the operator, and
        the filter is ignored, rather than an error page."""
        problems: list[str] = []
        text = {f.name: params.get(f.name, "").strip()[:128] for f in fields(cls) if f.type == "str"}
        if text["sort"] not in SORTS:
            text["sort"] = "received"
        if text["order"] not in ("asc", "desc"):
            text["order"] = "desc"
        if text["status"] and text["status"] not in (*STATUSES, "error"):
            problems.append(f"unknown status {text['status']!r}")
            text["status"] = ""
        if text["direction"] and text["direction"] not in DIRECTIONS:
            problems.append(f"unknown direction {text['direction']!r}")
            text["direction"] = ""
        page_text = params.get("page", "1")
        # ASCII digits only and few of them: "²" passes isdigit() and 5000 digits exceed int()'s limit.
        page = int(page_text) if is_digits(page_text) and len(page_text) <= 7 and int(page_text) > 0 else 1
        return cls(
            **text,
            received_from=_date(params.get("received_from", ""), "from", problems),
            received_to=_date(params.get("received_to", ""), "to", problems),
            page=min(page, 1_000_000),
            problems=tuple(problems),
        )

    def params(self) -> dict[str, str]:
        """Back to query parameters (for links that keep the filters); defaults left out."""
        out: dict[str, str] = {}
        for f in fields(self):
            if f.name == "problems":
                continue
            value = getattr(self, f.name)
            if value is None or value == "" or value == f.default:
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @property
    def filtered(self) -> bool:
        return any(k not in ("sort", "order", "page") for k in self.params())

    def with_page(self, page: int) -> MessageQuery:
        return replace(self, page=page)


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: MessageQuery
    rows: Sequence[Transmission]
    total: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first_row(self) -> int:
        return 0 if not self.total else (self.query.page - 1) * self.page_size + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.query.page * self.page_size)


def search_messages(session: Session, query: MessageQuery, *, page_size: int = PAGE_SIZE) -> SearchPage:
    conditions = search_conditions(query)
    total = session.execute(select(func.count()).select_from(Transmission).where(*conditions)).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    if query.page > pages:
        query = query.with_page(pages)
    rows = session.execute(list_statement(query, conditions, page_size)).scalars().all()
    return SearchPage(query=query, rows=rows, total=total, page_size=page_size)


def list_statement(
    query: MessageQuery, conditions: Sequence[ColumnElement[bool]], page_size: int
) -> Select[tuple[Transmission]]:
    column = SORTS[query.sort]
    ordered = column.desc() if query.order == "desc" else column.asc()
    tie = Transmission.id.desc() if query.order == "desc" else Transmission.id.asc()
    return (
        select(Transmission)
        .where(*conditions)
        .order_by(ordered, tie)
        .limit(page_size)
        .offset((query.page - 1) * page_size)
    )


def search_conditions(query: MessageQuery) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if query.q:
        out.append(Transmission.id.in_(any_number(query.q)))
    if query.partner:
        out.append(Transmission.partner_id == query.partner)
    if query.direction:
        out.append(Transmission.direction == query.direction)
    if query.syntax:
        out.append(Transmission.syntax == query.syntax)
    if query.message_type:
        out.append(Transmission.message_type == query.message_type)
    if query.status == "error":
        out.append(Transmission.status.in_(ERROR_STATUSES))
    elif query.status:
        out.append(Transmission.status == query.status)
    if query.received_from is not None:
        out.append(Transmission.received_at >= start_of(query.received_from))
    if query.received_to is not None:
        out.append(Transmission.received_at < start_of(query.received_to + timedelta(days=1)))
    if query.document_type:
        out.append(
            Transmission.id.in_(
                select(Document.transmission_id).where(Document.document_type == query.document_type)
            )
        )
    if query.interchange:
        out.append(
            Transmission.id.in_(
                select(Interchange.transmission_id).where(Interchange.control_reference == query.interchange)
            )
        )
    if query.group:
        out.append(
            Transmission.id.in_(select(Message.transmission_id).where(Message.group_reference == query.group))
        )
    if query.message:
        out.append(
            Transmission.id.in_(select(Message.transmission_id).where(Message.reference == query.message))
        )
    if query.business:
        out.append(Transmission.id.in_(business_number(query.business)))
    return out


def any_number(value: str) -> Any:
    """Ids of transmissions where ``value`` is the message id, a business number (PO, delivery
    note, invoice) or a control number (interchange, group, message)."""
    return union(
        select(Transmission.id).where(or_(Transmission.id == value, Transmission.business_number == value)),
        select(Interchange.transmission_id).where(Interchange.control_reference == value),
        select(Message.transmission_id).where(
            or_(
                Message.reference == value,
                Message.group_reference == value,
                Message.business_number == value,
            )
        ),
        select(Document.transmission_id).where(Document.business_number == value),
    )


def business_number(value: str) -> Any:
    return union(
        select(Transmission.id).where(Transmission.business_number == value),
        select(Message.transmission_id).where(Message.business_number == value),
        select(Document.transmission_id).where(Document.business_number == value),
    )


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _date(text: str, which: str, problems: list[str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"the {which} date {text[:32]!r} is not a date (YYYY-MM-DD); it was ignored")
        return None
