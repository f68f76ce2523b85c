"""EDIFACT APERAK: the application error and acknowledgement we send for a business message, and
reading one a partner sends us.

A CONTRL answers "could you read it?"; an APERAK answers "could your application use it?" (UNECE
APERAK §1). It is sent after the syntax checks passed, for results of the business rules — unknown
item, unknown party, price mismatch, duplicate order number — and, when the partner asks for it, as a
positive acknowledgement of a message that has no business answer of its own.

Layout, in the order the message requires::

    UNH  APERAK:<directory>[:<EANCOM association>]
    BGM  document name code, our APERAK number, message function (accepted / not accepted)
    DTM  137, when we prepared it
    SG1  RFF (+ DTM 171): the business document answered (ON order, IV invoice …) and/or its UNH 0062
    SG2  NAD: the parties (MS/MR for UN directories; the received BY/SU for EANCOM)
    SG3  ERC + FTX AAO per error, + SG4 RFF LI when the error sits in a line item (where the
         message has SG4: EANCOM97 does not)

Codes chosen, per variant (:data:`VARIANTS`):

- BGM 1001: D.96A has no document code for an application error/acknowledgement (UN added 305 in a
  later directory), so the UN D.96A APERAK leaves C002 out rather than misuse another document's
  code; EANCOM97 uses its own ``12E::9``; D.01B and EANCOM 2002 use ``305``.
- BGM 1225: ``27`` (not accepted) when there are errors; otherwise ``29`` (accepted without
  amendment) on UN directories and ``6`` (confirmation) on EANCOM, the only two EANCOM allows.
- ERC C901: the error code (an..8, bilateral), 1131 ``ZZZ`` (mutually defined), 3055 ``91`` when we
  are the supplier (we received an order) or ``92`` when we are the buyer (invoice, despatch advice).
- FTX 4451 ``AAO`` (error description), the reason wrapped into at most five 4440 components of the
  directory's length (70 in D.96A, 512 in D.01B); the writer releases service characters.

Lengths, component counts and whether SG4 exists are read from edigate's own message definition of
the chosen variant, so the APERAK validates against the same definition the gateway checks with.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from translators.edifact import charset
from translators.edifact.contrl import EdifactParty, reply_unb
from translators.edifact.definitions import (
    CompositeElement,
    GroupUse,
    MessageDefinition,
    load_definition,
)
from translators.edifact.model import Interchange, Message, Segment
from translators.edifact.writer import write_segments
from translators.errors import EdiError
from translators.numerals import is_digits

NOT_ACCEPTED = "27"  # 1225
ERROR_DESCRIPTION = "AAO"  # 4451
LINE_ITEM_REFERENCE = "LI"  # 1153
MESSAGE_REFERENCE = "ACW"  # 1153: reference number to previous message (its UNH 0062)
MUTUALLY_DEFINED = "ZZZ"  # 1131

AperakVersion = Literal["D96A", "EANCOM97", "D01B", "EANCOM2002"]


@dataclass(frozen=True, slots=True)
class AperakVariant:
    """What differs between the APERAK of one directory or EANCOM edition and another."""

    version: str  # 0052
    release: str  # 0054
    association: str  # 0057, "" for a UN directory message
    document_name: tuple[str, ...]  # BGM C002, () to leave it out
    accepted_function: str  # BGM 1225 when there are no errors

    @property
    def is_eancom(self) -> bool:
        return bool(self.association)


VARIANTS: Mapping[str, AperakVariant] = MappingProxyType(
    {
        "D96A": AperakVariant("D", "96A", "", (), "29"),
        # GS1's EANCOM 2000 APERAK layout (the D.96A subset): UNH ...:UN:EAN000, BGM 12E::9, 6 / 27.
        "EANCOM97": AperakVariant("D", "96A", "EAN000", ("12E", "", "9"), "6"),
        "D01B": AperakVariant("D", "01B", "", ("305",), "29"),
        # EANCOM 2002 S3 APERAK (subset version 003): UNH ...:UN:EAN003, BGM 305, 6 / 27.
        "EANCOM2002": AperakVariant("D", "01B", "EAN003", ("305",), "6"),
    }
)

# The business document a message type carries in BGM 1004, as the RFF qualifier (1153) that names it.
DOCUMENT_QUALIFIERS: Mapping[str, str] = MappingProxyType(
    {"ORDERS": "ON", "ORDCHG": "ON", "INVOIC": "IV", "DESADV": "AAK", "ORDRSP": "POR"}
)

# Message types we receive as the supplier (ERC 3055 = 91); everything else we receive as the buyer (92).
_SUPPLIER_RECEIVES = frozenset({"ORDERS", "ORDCHG", "REQOTE"})

# Short ERC 9321 codes (an..8) for edigate's application error codes. The codes are bilateral: a
# partner's profile can agree others (``error_codes``); unlisted long codes are abbreviated.
ERROR_CODES: Mapping[str, str] = MappingProxyType(
    {
        "UNKNOWN_ITEM": "UNKITEM",
        "UNKNOWN_PARTY": "UNKPARTY",
        "UNKNOWN_SHIP_TO": "UNKSHIPT",
        "PRICE_MISMATCH": "PRICEDIF",
        "DUPLICATE_ORDER_NUMBER": "DUPORDER",
        "DUPLICATE_DOCUMENT": "DUPDOC",
    }
)

# UNB 0007 identification code qualifier → NAD 3055 code list responsible agency.
_PARTY_AGENCIES: Mapping[str, str] = MappingProxyType({"14": "9", "1": "16", "ZZ": "ZZZ", "ZZZ": "ZZZ"})

# UNOA (ISO 9735 level A): upper case letters, digits, space and these signs; nothing else.
_UNOA = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/'+:=?!\"%&*;<>")


def error_code(code: str, agreed: Mapping[str, str] | None = None) -> str:
    """ERC 9321 for an edigate error code: the partner-agreed one, ours, the code itself when it fits
    an..8, else each word cut to an equal share of eight characters (``QUANTITY_INVALID`` →
    ``QUANINVA``), so the same problem always gets the same code."""
    if agreed and code in agreed:
        return agreed[code]
    if code in ERROR_CODES:
        return ERROR_CODES[code]
    if len(code) <= 8:
        return code
    words = [word for word in code.split("_") if word] or [code]
    share = max(1, 8 // len(words))
    return "".join(word[:share] for word in words)[:8]


def build_aperak(
    *,
    interchange: Interchange,
    message: Message,
    document_number: str | None,
    errors: Sequence[EdiError],
    sender: EdifactParty,
    control_reference: str,
    prepared_at: datetime,
    message_reference: str = "1",
    version: AperakVersion = "D96A",
    number: str | None = None,
    association: str | None = None,
    error_codes: Mapping[str, str] | None = None,
    error_code_agency: str | None = None,
) -> str:
    """The full APERAK interchange (UNA … UNZ) answering ``message`` of ``interchange``.

    ``document_number`` is the business number of the answered document (an order number for an
    ORDERS); None takes the received BGM 1004. ``errors`` are application-level problems; none gives
    a positive APERAK. ``sender``/``control_reference``/``prepared_at`` address our UNB as
    :func:`translators.edifact.contrl.build_contrl` does; ``number`` is the APERAK's own BGM 1004
    (our control reference when not given). ``association`` overrides the variant's EANCOM 0057 for
    partners that agreed another subset version; ``error_codes`` maps edigate codes to the partner's
    agreed ERC codes; ``error_code_agency`` overrides the 3055 that says who assigned them.
    """
    variant = VARIANTS[version]
    association = variant.association if association is None else association
    limits = _limits(load_definition("APERAK", variant.version, variant.release, association))
    fit = _Charset(interchange.syntax_identifier)
    document_number = document_number or _bgm_number(message) or None

    body: list[Segment] = [
        Segment(
            "BGM",
            [
                list(variant.document_name) or [""],
                [fit(number or control_reference)],
                [NOT_ACCEPTED if errors else variant.accepted_function],
            ],
        ),
        Segment("DTM", [["137", prepared_at.strftime("%Y%m%d%H%M"), "203"]]),
        *_references(message, document_number, variant),
        *_parties(interchange, message, sender, variant),
    ]
    agency = error_code_agency or ("91" if message.type in _SUPPLIER_RECEIVES else "92")
    for error in list(errors)[: limits.max_errors]:
        body.append(Segment("ERC", [[error_code(error.code, error_codes), MUTUALLY_DEFINED, agency]]))
        body.append(Segment("FTX", [[ERROR_DESCRIPTION], [""], [""], _wrap(fit(error.text), limits)]))
        line = _line_number(message, error) if limits.line_references else None
        if line is not None:
            body.append(Segment("RFF", [[LINE_ITEM_REFERENCE, line]]))

    identifier = ["APERAK", variant.version, variant.release, "UN", *([association] if association else [])]
    segments = [
        reply_unb(interchange, sender, control_reference, prepared_at),
        Segment("UNH", [[message_reference], identifier]),
        *body,
        Segment("UNT", [[str(len(body) + 2)], [message_reference]]),
        Segment("UNZ", [["1"], [control_reference]]),
    ]
    return interchange.separators.una() + write_segments(segments, interchange.separators)


@dataclass(frozen=True, slots=True)
class _Limits:
    """What the variant's definition allows: FTX 4440 components and length, SG3 repetitions, SG4."""

    text_components: int = 5
    text_length: int = 70
    max_errors: int = 999
    line_references: bool = False


def _limits(definition: MessageDefinition | None) -> _Limits:
    if definition is None:
        return _Limits()
    components, length = 5, 70
    for segment in definition.segments.values():
        if segment.tag == "FTX" and len(segment.elements) >= 4:
            text = segment.elements[3]
            if isinstance(text, CompositeElement) and text.components:
                components = len(text.components)
                length = text.components[0].max_length or length
            break
    erc = next((n for n in definition.structure if isinstance(n, GroupUse) and n.tag == "ERC"), None)
    if erc is None:
        return _Limits(components, length)
    lines = any(isinstance(child, GroupUse) and child.tag == "RFF" for child in erc.children)
    return _Limits(components, length, erc.max_occurs or 999_999, lines)


def _wrap(text: str, limits: _Limits) -> list[str]:
    """The reason as 4440 components: wrapped at spaces (a reader joins them with one), a word longer
    than a component cut, and cut with "..." when even all components cannot hold it."""
    text = " ".join(text.split()) or "-"
    lines = textwrap.wrap(text, limits.text_length, break_on_hyphens=False) or ["-"]
    if len(lines) > limits.text_components:
        lines = lines[: limits.text_components]
        lines[-1] = lines[-1][: limits.text_length - 3].rstrip() + "..."
    return lines


class _Charset:
    """Makes free text (error reasons) writable in the interchange's character repertoire.

    Values copied from the partner's own interchange already fit; our texts may not (an umlaut in a
    UNOA interchange, a euro sign in UNOC). Accents are dropped where that suffices; anything else
    becomes "?". UNOA has no lower case: text is upper-cased for it.
    """

    def __init__(self, syntax_identifier: str) -> None:
        self.identifier = syntax_identifier.upper()
        self.codec = charset.codec_for(self.identifier) or "latin-1"

    def fits(self, char: str) -> bool:
        if self.identifier == "UNOA":
            return char in _UNOA
        try:
            char.encode(self.codec)
        except UnicodeEncodeError:
            return False
        return char.isprintable()

    def __call__(self, text: str) -> str:
        if self.identifier == "UNOA":
            text = text.upper()
        out: list[str] = []
        for char in text:
            if self.fits(char):
                out.append(char)
                continue
            if char.isspace():
                out.append(" ")
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(base if base and all(self.fits(c) for c in base) else "?")
        return "".join(out)


def _bgm_number(message: Message) -> str:
    """BGM 1004 of the received message (a plain element in D.96A, C106's first component later)."""
    bgm = next((s for s in message.body if s.tag == "BGM"), None)
    return bgm.get(2, 1) if bgm is not None else ""


def _document_date(message: Message) -> str | None:
    """The received document's own date (DTM 137 before the first segment group), as CCYYMMDD."""
    for segment in message.body[:6]:
        if segment.tag == "DTM" and segment.get(1, 1) == "137":
            value, form = segment.get(1, 2), segment.get(1, 3, "102")
            if form in ("102", "203", "204") and len(value) >= 8 and is_digits(value[:8]):
                return value[:8]
    return None


def _references(message: Message, document_number: str | None, variant: AperakVariant) -> list[Segment]:
    """SG1: the answered document by its business number (+ its date), and the message by its UNH
    0062 — on EANCOM only when there is no business number, ACW not being in its subset."""
    segments: list[Segment] = []
    qualifier = DOCUMENT_QUALIFIERS.get(message.type)
    if document_number and qualifier:
        segments.append(Segment("RFF", [[qualifier, document_number]]))
        date = _document_date(message)
        if date is not None:
            segments.append(Segment("DTM", [["171", date, "102"]]))
    if message.reference and (not variant.is_eancom or not segments):
        segments.append(Segment("RFF", [[MESSAGE_REFERENCE, message.reference]]))
    return segments


def _parties(
    interchange: Interchange, message: Message, sender: EdifactParty, variant: AperakVariant
) -> list[Segment]:
    """SG2. UN directories: NAD MS (us) and MR (the partner) by their UNB identities. EANCOM knows only
    BY and SU: the buyer and supplier as the answered message named them."""
    if variant.is_eancom:
        found = [s for s in message.body if s.tag == "NAD" and s.get(1) in ("BY", "SU") and s.get(2)]
        by_role = {s.get(1): s for s in reversed(found)}  # the first of each role wins
        return [
            Segment("NAD", [[role], by_role[role].elements[1][:3]])
            for role in ("BY", "SU")
            if role in by_role
        ]
    return [
        Segment("NAD", [["MS"], _party_id(sender.id, sender.qualifier)]),
        Segment("NAD", [["MR"], _party_id(interchange.sender_id, interchange.sender_qualifier)]),
    ]


def _party_id(identifier: str, qualifier: str) -> list[str]:
    agency = _PARTY_AGENCIES.get(qualifier.upper())
    return [identifier, "", agency] if agency else [identifier]


def _line_number(message: Message, error: EdiError) -> str | None:
    """LIN 1082 of the line item the error's segment belongs to, None for header and summary errors."""
    position = error.location.message_segment
    if position is None and error.location.segment_index is not None:
        position = next(
            (i for i, s in enumerate(message.segments, start=1) if s.index == error.location.segment_index),
            None,
        )
    if position is None:
        return None
    for segment in reversed(message.segments[:position]):
        if segment.tag == "UNS":
            return None
        if segment.tag == "LIN":
            return segment.get(1) or None
    return None


# -- reading an APERAK -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AperakReference:
    """RFF (+ DTM): a qualifier (ON, IV, ACW, LI …), the reference, and its date when given."""

    qualifier: str
    value: str
    date: str | None = None


@dataclass(frozen=True, slots=True)
class AperakError:
    """SG3: ERC (code, list, agency), its FTX text and the SG4 references (the line in error)."""

    code: str
    list_qualifier: str | None = None
    agency: str | None = None
    text: str = ""
    references: tuple[AperakReference, ...] = ()


@dataclass(frozen=True, slots=True)
class AperakReport:
    """What a partner's APERAK says about one of our messages."""

    reference: str  # the APERAK's UNH 0062
    identifier: str  # its S009
    number: str  # BGM 1004
    document_code: str  # BGM 1001
    function: str  # BGM 1225
    issued: str | None  # DTM 137 as written
    references: tuple[AperakReference, ...] = ()
    parties: tuple[tuple[str, str], ...] = ()  # (NAD 3035, party id)
    errors: tuple[AperakError, ...] = ()

    @property
    def document_reference(self) -> AperakReference | None:
        """The business document answered: the first SG1 reference other than a message reference."""
        named = [r for r in self.references if r.qualifier != MESSAGE_REFERENCE]
        return (named or list(self.references) or [None])[0]

    @property
    def message_reference(self) -> str | None:
        """The UNH 0062 of our message, when the APERAK quotes it (RFF ACW)."""
        return next((r.value for r in self.references if r.qualifier == MESSAGE_REFERENCE), None)

    @property
    def accepted(self) -> bool:
        """Not accepted when BGM says so (27), or when it reports errors without an accepting function
        (6 confirmation, 29 accepted): the errors then say why the application did not take it."""
        if self.function == NOT_ACCEPTED:
            return False
        return not self.errors or self.function in ("6", "29")

    @property
    def state(self) -> Literal["accepted", "accepted_with_errors", "rejected"]:
        if not self.accepted:
            return "rejected"
        return "accepted_with_errors" if self.errors else "accepted"


def parse_aperak(message: Message) -> AperakReport:
    """One APERAK message (any directory, EANCOM or not) into a report. Raises ValueError for another
    message type. Segments it does not know are skipped."""
    if message.type != "APERAK":
        raise ValueError(f"message {message.reference!r} is {message.type or 'untyped'}, not APERAK")
    bgm = next((s for s in message.body if s.tag == "BGM"), Segment("BGM", []))
    issued: str | None = None
    references: list[AperakReference] = []
    parties: list[tuple[str, str]] = []
    errors: list[AperakError] = []
    for segment in message.body:
        tag = segment.tag
        if tag == "ERC":
            errors.append(
                AperakError(segment.get(1, 1), segment.get(1, 2) or None, segment.get(1, 3) or None)
            )
        elif tag == "FTX" and errors:
            text = " ".join(c for c in (segment.elements[3] if len(segment.elements) > 3 else []) if c)
            last = errors[-1]
            errors[-1] = replace(last, text=" ".join(t for t in (last.text, text) if t))
        elif tag == "RFF" and errors:
            last = errors[-1]
            errors[-1] = replace(last, references=(*last.references, _reference(segment)))
        elif tag == "RFF":
            references.append(_reference(segment))
        elif tag == "DTM" and segment.get(1, 1) == "137" and not references and issued is None:
            issued = segment.get(1, 2) or None
        elif tag == "DTM" and references and not errors:
            last_ref = references[-1]
            references[-1] = AperakReference(last_ref.qualifier, last_ref.value, segment.get(1, 2) or None)
        elif tag == "NAD":
            parties.append((segment.get(1), segment.get(2, 1)))
    return AperakReport(
        reference=message.reference,
        identifier=message.identifier,
        number=bgm.get(2, 1),
        document_code=bgm.get(1, 1),
        function=bgm.get(3),
        issued=issued,
        references=tuple(references),
        parties=tuple(parties),
        errors=tuple(errors),
    )


def _reference(segment: Segment) -> AperakReference:
    return AperakReference(segment.get(1, 1), segment.get(1, 2))
