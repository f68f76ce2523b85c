"""Render a canonical document in a partner's format: EDIFACT, X12 or UBL 2.1, enveloped.

The one entry point the outbound path calls. It dispatches on the document's ``document_type`` and
the partner's syntax to the writers in :mod:`translators.edifact.writers`,
:mod:`translators.x12.writers` and :func:`translators.xml.writer_ubl.to_ubl`, and puts EDIFACT
messages and X12 sets in their envelope with the control numbers it is given (the gateway draws
them from its gapless per-partner counters; a renderer never invents one).

Before it returns, what was rendered is read back with edigate's own reader and validated against
the message definitions: a partner must never receive something edigate itself would reject, so a
document that cannot be written validly (a code the directory does not know, a unit X12 cannot
carry) raises :class:`RenderError` with the located errors instead of leaving the building.

Pure code: no I/O, no clock — ``prepared_at`` is an input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal

from translators.documents.common import CanonicalModel
from translators.documents.delivery_note import DeliveryNote
from translators.documents.invoice import Invoice
from translators.documents.order_response import OrderResponse
from translators.documents.purchase_order import PurchaseOrder
from translators.edifact.charset import codec_for, first_unencodable
from translators.edifact.reader import read_interchange
from translators.edifact.validator import validate_message
from translators.edifact.writers import (
    EANCOM_ASSOCIATIONS,
    envelope_edifact,
    render_desadv,
    render_invoic,
    render_orders,
    render_ordrsp,
)
from translators.errors import EdiError
from translators.x12.reader import read_x12_interchanges
from translators.x12.validator import validate_transaction
from translators.x12.writers import envelope_x12, render_810, render_850, render_855, render_856
from translators.xml.writer_ubl import to_ubl

Syntax = Literal["edifact", "x12", "xml"]
Document = PurchaseOrder | OrderResponse | DeliveryNote | Invoice

EDIFACT_MESSAGES: Mapping[str, tuple[str, Callable[..., Any]]] = MappingProxyType(
    {
        "purchase_order": ("ORDERS", render_orders),
        "order_response": ("ORDRSP", render_ordrsp),
        "delivery_note": ("DESADV", render_desadv),
        "invoice": ("INVOIC", render_invoic),
    }
)
"""Canonical document type → EDIFACT message type and its writer."""

X12_SETS: Mapping[str, tuple[str, Callable[..., Any]]] = MappingProxyType(
    {
        "purchase_order": ("850", render_850),
        "order_response": ("855", render_855),
        "delivery_note": ("856", render_856),
        "invoice": ("810", render_810),
    }
)
"""Canonical document type → X12 transaction set and its writer."""

X12_RELEASES: Mapping[str, str] = MappingProxyType(
    {
        "004010": "004010",
        "00401": "004010",
        "4010": "004010",
        "005010": "005010",
        "00501": "005010",
        "5010": "005010",
    }
)
"""Accepted spellings of the X12 version (GS08 or ISA12) → the GS08 release written."""


class RenderError(ValueError):
    """The document cannot be rendered validly for this partner; ``errors`` say where and why."""

    def __init__(self, text: str, errors: list[EdiError] | None = None) -> None:
        super().__init__(text)
        self.errors = errors or []


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Who an interchange is from or to: UNB S002/S003 id and qualifier, or ISA id and qualifier
    (``application_code``: the X12 GS02/GS03 when it differs from the ISA id)."""

    id: str
    qualifier: str = ""
    application_code: str | None = None


@dataclass(frozen=True, slots=True)
class ReverseCodes:
    """ERP codes → the partner's: ``units`` ERP unit → partner unit, ``parties`` ERP party number
    → GLN, ``items`` ERP SKU → partner item number or GTIN. The inverse of the profile's code maps,
    given explicitly because a many-to-one map has no unique inverse."""

    units: Mapping[str, str] = field(default_factory=dict)
    parties: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)

    def as_kwargs(self) -> dict[str, Mapping[str, str]]:
        return {"units": self.units, "parties": self.parties, "items": self.items}


@dataclass(frozen=True, slots=True)
class RenderedInterchange:
    """What is sent: the bytes, and what the gateway records about them.

    ``control_reference`` is UNB 0020 / ISA13 (the UBL document's number for XML); ``message_type``
    is ORDRSP, 855, OrderResponse, … as the partner sees it.
    """

    content: bytes
    syntax: Syntax
    control_reference: str
    message_type: str
    encoding: str

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding)


def render_document(
    document: Document,
    *,
    syntax: Syntax,
    version: str,
    sender: Endpoint | tuple[str, str],
    recipient: Endpoint | tuple[str, str],
    control_numbers: Mapping[str, int],
    prepared_at: datetime,
    reverse_codes: ReverseCodes | Mapping[str, Mapping[str, str]] | None = None,
    test: bool = False,
    association: str | None = None,
    decimal_mark: str = ".",
    syntax_identifier: str = "UNOC",
    syntax_version: int = 3,
    ack_request: bool = False,
) -> RenderedInterchange:
    """Render ``document`` as one interchange in ``syntax``/``version``.

    ``version``: EDIFACT directory ``D96A``/``D01B``; X12 ``004010``/``005010`` (or ISA12
    ``00401``/``00501``); ignored for ``xml`` (UBL 2.1). ``association`` is the EDIFACT UNH 0057
    (``EAN005`` …), ``"EANCOM"`` for the edition's usual code, None for plain UN.
    ``control_numbers`` has ``interchange`` (UNB 0020 / ISA13), ``group`` (GS06) and ``message``
    (UNH 0062 / ST02). ``sender``/``recipient`` are :class:`Endpoint` or (id, qualifier).

    Raises RenderError when the document cannot be written validly, ValueError for bad arguments.
    """
    if not isinstance(document, CanonicalModel) or document.__class__ not in (
        PurchaseOrder,
        OrderResponse,
        DeliveryNote,
        Invoice,
    ):
        raise TypeError(f"cannot render {type(document).__name__}: not a canonical document")
    codes = _codes(reverse_codes)
    if syntax == "edifact":
        return _edifact(
            document,
            version=version,
            association=association,
            sender=_endpoint(sender),
            recipient=_endpoint(recipient),
            control_numbers=control_numbers,
            prepared_at=prepared_at,
            codes=codes,
            test=test,
            decimal_mark=decimal_mark,
            syntax_identifier=syntax_identifier,
            syntax_version=syntax_version,
            ack_request=ack_request,
        )
    if syntax == "x12":
        return _x12(
            document,
            version=version,
            sender=_endpoint(sender),
            recipient=_endpoint(recipient),
            control_numbers=control_numbers,
            prepared_at=prepared_at,
            codes=codes,
            test=test,
            ack_request=ack_request,
        )
    if syntax == "xml":
        content = to_ubl(document)
        root = (
            "CreditNote" if isinstance(document, Invoice) and document.invoice_type == "credit_note" else None
        )
        ubl_names = {
            "purchase_order": "Order",
            "order_response": "OrderResponse",
            "delivery_note": "DespatchAdvice",
        }
        name = root or ubl_names.get(document.document_type, "Invoice")
        return RenderedInterchange(content, "xml", document.number, name, "utf-8")
    raise ValueError(f"unknown syntax {syntax!r}; expected 'edifact', 'x12' or 'xml'")


def _codes(reverse_codes: ReverseCodes | Mapping[str, Mapping[str, str]] | None) -> ReverseCodes:
    if reverse_codes is None:
        return ReverseCodes()
    if isinstance(reverse_codes, ReverseCodes):
        return reverse_codes
    unknown = set(reverse_codes) - {"units", "parties", "items"}
    if unknown:
        raise ValueError(f"unknown reverse code maps {sorted(unknown)}; expected units, parties, items")
    return ReverseCodes(**{k: dict(v) for k, v in reverse_codes.items()})


def _endpoint(value: Endpoint | tuple[str, str]) -> Endpoint:
    return value if isinstance(value, Endpoint) else Endpoint(value[0], value[1])


def _control(control_numbers: Mapping[str, int], name: str) -> int:
    value = control_numbers.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"control_numbers[{name!r}] must be a positive integer, got {value!r}")
    return value


def _edifact(
    document: Document,
    *,
    version: str,
    association: str | None,
    sender: Endpoint,
    recipient: Endpoint,
    control_numbers: Mapping[str, int],
    prepared_at: datetime,
    codes: ReverseCodes,
    test: bool,
    decimal_mark: str,
    syntax_identifier: str,
    syntax_version: int,
    ack_request: bool,
) -> RenderedInterchange:
    message_type, writer = EDIFACT_MESSAGES[document.document_type]
    version = version.strip().upper()
    if association is not None and association.upper() == "EANCOM":
        association = EANCOM_ASSOCIATIONS.get((message_type, version))
    reference = str(_control(control_numbers, "message"))
    control_reference = str(_control(control_numbers, "interchange"))
    try:
        segments = writer(
            document,
            version=version,
            association=association,
            message_reference=reference,
            decimal_mark=decimal_mark,
            **codes.as_kwargs(),
        )
    except ValueError as exc:
        raise RenderError(f"{message_type} {version}: {exc}") from exc
    text = envelope_edifact(
        [segments],
        sender=(sender.id, sender.qualifier),
        recipient=(recipient.id, recipient.qualifier),
        control_reference=control_reference,
        prepared_at=prepared_at,
        syntax_identifier=syntax_identifier,
        syntax_version=syntax_version,
        ack_request=ack_request,
        test=test,
        decimal_mark=decimal_mark,
        application_reference=message_type if association else "",
    )
    codec = codec_for(syntax_identifier)
    if codec is None:
        raise ValueError(f"syntax identifier {syntax_identifier!r} has no character set edigate writes")
    position = first_unencodable(text, codec)
    if position is not None:
        raise RenderError(
            f"character {text[position]!r} cannot be written in {syntax_identifier}; "
            "the partner needs a wider character set (UNOC, UNOW)"
        )
    content = text.encode(codec)
    interchange = read_interchange(content)
    errors = list(interchange.errors)
    for message in interchange.messages:
        errors += validate_message(message, interchange.separators.decimal)
    if errors:
        raise RenderError(f"the rendered {message_type} {version} is not valid: {errors[0].text}", errors)
    return RenderedInterchange(content, "edifact", control_reference, message_type, codec)


def _x12(
    document: Document,
    *,
    version: str,
    sender: Endpoint,
    recipient: Endpoint,
    control_numbers: Mapping[str, int],
    prepared_at: datetime,
    codes: ReverseCodes,
    test: bool,
    ack_request: bool,
) -> RenderedInterchange:
    set_id, writer = X12_SETS[document.document_type]
    release = X12_RELEASES.get(version.strip())
    if release is None:
        raise ValueError(f"X12 version {version!r} cannot be written; supported: 004010, 005010")
    interchange_control = _control(control_numbers, "interchange")
    extra = {"prepared_at": prepared_at} if set_id == "856" else {}
    try:
        transaction = writer(
            document,
            version=release,
            control_number=f"{_control(control_numbers, 'message'):04d}",
            **codes.as_kwargs(),
            **extra,
        )
        text = envelope_x12(
            [transaction],
            sender=(sender.qualifier, sender.id),
            recipient=(recipient.qualifier, recipient.id),
            interchange_control=interchange_control,
            group_control=_control(control_numbers, "group"),
            version=release,  # type: ignore[arg-type]  # checked through X12_RELEASES
            prepared_at=prepared_at,
            application_sender=sender.application_code,
            application_receiver=recipient.application_code,
            test=test,
            ack_requested=ack_request,
        )
    except ValueError as exc:
        raise RenderError(f"{set_id} {release}: {exc}") from exc
    if not text.isascii():
        raise RenderError(f"{set_id}: X12 is written in ASCII; the document has non-ASCII text")
    interchange = read_x12_interchanges(text)[0]
    errors = list(interchange.all_errors)
    for group in interchange.groups:
        for ts in group.transactions:
            errors += validate_transaction(ts, group.version)
    if errors:
        raise RenderError(f"the rendered {set_id} {release} is not valid: {errors[0].text}", errors)
    return RenderedInterchange(text.encode("ascii"), "x12", f"{interchange_control:09d}", set_id, "ascii")
