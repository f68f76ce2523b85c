"""The partner profile schema: what an operator writes in ``<partner-id>.toml`` and ``company.toml``.

The models are strict on purpose. ``extra="forbid"`` turns a misspelt key (``qualifer``) into a lint
error instead of a silently ignored setting, and ``frozen=True`` keeps a loaded profile from being
changed behind the directory's back: a change on disk means a new directory, not an edited one.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from lxml import etree
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from partners.as2 import As2Settings, OwnAs2Settings
from partners.sftp import SftpSettings

# strict: TOML values are already typed, so coercion ("yes" -> True, 1 -> "1") would only hide mistakes.
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _check_sha256_hex(value: str) -> str:
    if not _SHA256_HEX.fullmatch(value):
        raise ValueError(
            "expected a SHA-256 digest as 64 lower-case hex characters "
            "(compute it with partners.apikey.hash_api_key; never put the key itself here)"
        )
    return value


Sha256Hex = Annotated[str, AfterValidator(_check_sha256_hex)]


def _check_gln(value: str) -> str:
    """A GLN is 13 digits ending in a GS1 mod-10 check digit; a typo almost always breaks the digit."""
    if not (len(value) == 13 and value.isdigit()):
        raise ValueError("expected a GLN of exactly 13 digits")
    digits = [int(c) for c in value]
    weighted = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    if (10 - weighted % 10) % 10 != digits[-1]:
        raise ValueError("GLN check digit is wrong (GS1 mod-10)")
    return value


Gln = Annotated[str, AfterValidator(_check_gln)]


class EdifactIdentity(BaseModel):
    """A party as it appears in an UNB segment: S002 (sender) or S003 (recipient).

    ``id`` is data element 0004 (an..35), ``qualifier`` is 0007 (an..4, e.g. ``14`` = GLN / EAN
    location number, ``ZZZ`` = mutually defined). An empty qualifier in a *partner* profile means
    "any qualifier": many partners omit 0007 or send it inconsistently.
    """

    model_config = _STRICT

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=35)]
    qualifier: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4)] = ""

    def matches(self, sender_id: str, qualifier: str) -> bool:
        """True when an UNB sender ``(sender_id, qualifier)`` is this identity."""
        return self.id == sender_id and (not self.qualifier or self.qualifier == qualifier)

    def overlaps(self, other: EdifactIdentity) -> bool:
        """True when some UNB sender would match both identities, i.e. they cannot tell partners apart."""
        return self.id == other.id and (
            not self.qualifier or not other.qualifier or self.qualifier == other.qualifier
        )

    def describe(self) -> str:
        return f"{self.id}:{self.qualifier}" if self.qualifier else f"{self.id} (any qualifier)"


class CodeMaps(BaseModel):
    """Partner codes to ERP codes. Keys are the partner's values, exactly as they appear in messages.

    ``units``: partner unit of measure (UN/ECE Rec 20, e.g. ``PCE``) → ERP unit (``EA``).
    ``parties``: GLN → ERP customer/supplier/delivery-point number.
    ``items``: partner item number or GTIN → ERP SKU.
    """

    model_config = _STRICT

    units: dict[str, NonEmptyStr] = Field(default_factory=dict)
    parties: dict[str, NonEmptyStr] = Field(default_factory=dict)
    items: dict[str, NonEmptyStr] = Field(default_factory=dict)

    def unit(self, code: str) -> str:
        """The ERP unit for ``code``; unmapped units pass through, since most Rec 20 codes are shared."""
        return self.units.get(code, code)

    def party(self, gln: str) -> str | None:
        """The ERP party number for ``gln``, or None: an unknown party is a business error, not a guess."""
        return self.parties.get(gln)

    def item(self, code: str) -> str | None:
        """The ERP SKU for a partner item number or GTIN, or None when the partner's item is unknown."""
        return self.items.get(code)


class X12Identity(BaseModel):
    """A party as it appears in an X12 ISA segment: ISA05/ISA06 (sender) or ISA07/ISA08 (recipient).

    ``qualifier`` is the 2-character ID qualifier (``ZZ`` mutually defined, ``01`` DUNS, ``12`` phone,
    ``14`` DUNS+suffix, ...). ``id`` is the interchange id; ISA pads it with spaces to 15 characters, so
    ids are compared with trailing spaces stripped. ``gs_id``, when set, is the GS02 application sender
    code this identity stands for: a partner sending under one ISA id for several divisions is told
    apart by GS02. Empty means any GS02.
    """

    model_config = _STRICT

    qualifier: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{2}$")]
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=15)]
    gs_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=15)] = ""

    def matches(self, qualifier: str, id: str, gs_id: str = "") -> bool:
        """True when ISA sender ``(qualifier, id)`` with GS02 ``gs_id`` is this identity.

        ``id`` may carry ISA's space padding. An empty ``gs_id`` means "GS not read yet" (deciding
        on a TA1 happens at interchange level), so only the ISA part is compared then.
        """
        if self.qualifier != qualifier.strip() or self.id != id.rstrip():
            return False
        gs_id = gs_id.strip()
        return not gs_id or not self.gs_id or self.gs_id == gs_id

    def overlaps(self, other: X12Identity) -> bool:
        """True when some ISA/GS sender would match both identities, i.e. they cannot tell partners apart."""
        return (
            self.qualifier == other.qualifier
            and self.id == other.id
            and (not self.gs_id or not other.gs_id or self.gs_id == other.gs_id)
        )

    def describe(self) -> str:
        isa = f"{self.qualifier}:{self.id}"
        return f"{isa} (GS02 {self.gs_id})" if self.gs_id else isa


class XmlIdentity(BaseModel):
    """A party as an XML document names it: a scheme plus an id.

    UBL: ``cbc:EndpointID/@schemeID`` and its value (scheme ``0088`` = GLN, ``0192`` = Norwegian
    organisation number, ...). cXML: ``Credential/@domain`` and its ``Identity`` (``NetworkID``,
    ``DUNS``). For a custom format mapped with :class:`XmlFieldMap` the document carries only the id
    (its ``sender`` XPath), so the scheme is a label the operator chooses (``GLN``).
    Schemes are compared case-insensitively because cXML domains are (``NetworkId`` vs ``NetworkID``
    both occur in the wild); ids exactly, after trimming the whitespace XML text tends to carry.
    """

    model_config = _STRICT

    scheme: NonEmptyStr
    id: NonEmptyStr

    def matches(self, scheme: str, id: str) -> bool:
        """True when a document sender ``(scheme, id)`` is this identity."""
        return self.scheme.casefold() == scheme.strip().casefold() and self.id == id.strip()

    def overlaps(self, other: XmlIdentity) -> bool:
        """True when one document sender would match both identities."""
        return self.scheme.casefold() == other.scheme.casefold() and self.id == other.id

    def describe(self) -> str:
        return f"{self.scheme}:{self.id}"


_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_FIELD_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*")
# Evaluating against an empty element catches what compiling cannot (undefined prefix, function or
# variable, wrong argument types) without depending on any real document.
_DRY_RUN_ELEMENT = "dry-run"


def _check_ncname(value: str) -> str:
    if not _NCNAME.fullmatch(value):
        raise ValueError("expected an XML local name without prefix, such as Bestellung")
    return value


def _check_field_path(value: str) -> str:
    if not _FIELD_PATH.fullmatch(value):
        raise ValueError(
            "expected a canonical field path in lower case with dots, such as number or buyer.gln"
        )
    return value


def _check_date_format(value: str) -> str:
    """A strftime pattern that round-trips a date; "%d.%m.%y" passes, "DD.MM.YYYY" does not."""
    sample = date(2031, 12, 24)
    try:
        parsed = datetime.strptime(sample.strftime(value), value).date()
    except ValueError:
        parsed = None
    if parsed != sample:
        raise ValueError("expected a strptime date pattern with day, month and year, such as %d.%m.%Y")
    return value


def _dry_run(expression: str, info: ValidationInfo) -> object:
    """Compile and evaluate ``expression`` on an empty element, or raise ``invalid_xpath``.

    The namespaces come from the map's ``namespaces`` (validated first, since it is declared first);
    when those are themselves invalid the expression is not checked, to report one mistake once.
    """
    if "namespaces" not in info.data:
        return None
    try:
        xpath = etree.XPath(expression, namespaces=info.data["namespaces"] or None)
        return xpath(etree.Element(_DRY_RUN_ELEMENT))
    except (etree.XPathError, TypeError, ValueError) as exc:
        raise PydanticCustomError(
            "invalid_xpath", "invalid XPath expression: {reason}", {"reason": str(exc) or type(exc).__name__}
        ) from None


def _check_xpath(value: str, info: ValidationInfo) -> str:
    if value:
        _dry_run(value, info)
    return value


def _check_lines_xpath(value: str, info: ValidationInfo) -> str:
    """``lines`` must select elements; ``string(...)`` or ``count(...)`` would give one value, no lines."""
    result = _dry_run(value, info)
    if result is not None and not isinstance(result, list):
        raise PydanticCustomError(
            "invalid_xpath",
            "the lines XPath must select the repeated line elements (a node-set), not a {kind}",
            {"kind": "string" if isinstance(result, str) else type(result).__name__},
        )
    return value


def _check_namespace_prefixes(value: dict[str, str]) -> dict[str, str]:
    for prefix in value:
        if not _NCNAME.fullmatch(prefix):
            raise ValueError(
                f"namespace prefix {prefix!r} is not usable in XPath: XPath 1.0 has no default "
                'namespace, so give the document\'s default namespace a prefix (b = "urn:...")'
            )
    return value


XmlLocalName = Annotated[str, AfterValidator(_check_ncname)]
FieldPath = Annotated[str, AfterValidator(_check_field_path)]
XPathExpr = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_check_xpath)
]
OptionalXPathExpr = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_xpath)]
LinesXPath = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_check_lines_xpath)
]


class XmlFieldMap(BaseModel):
    """A partner's own XML format mapped onto a canonical document by XPath, so that onboarding one
    more XML partner means writing a profile, not code.

    ``root`` (local name of the document element) is how such a document is recognised; several
    partners may share a root when ``sender`` tells them apart. ``fields`` maps canonical field paths
    (``number``, ``buyer.gln``, ``ship_to.address.city``) to XPaths evaluated on the root,
    ``lines`` selects the line elements and ``line_fields`` maps canonical line fields
    (``line_number``, ``gtin``, ``quantity``) to XPaths evaluated on each line. Wrap a path in
    ``string(...)`` to get its text. Dates are parsed with ``date_format`` (strptime syntax).
    ``namespaces`` declares the prefixes the XPaths use; a document in a default namespace needs one.
    Every XPath is compiled and dry-run at load time, so a typo is a lint error (``INVALID_XPATH``)
    rather than an empty field on the first real order.
    """

    model_config = _STRICT

    root: XmlLocalName
    document_type: Literal["purchase_order", "order_response", "delivery_note", "invoice"]
    namespaces: Annotated[dict[str, NonEmptyStr], AfterValidator(_check_namespace_prefixes)] = Field(
        default_factory=dict
    )
    sender: OptionalXPathExpr = ""
    fields: dict[FieldPath, XPathExpr]
    lines: LinesXPath
    line_fields: dict[FieldPath, XPathExpr]
    date_format: Annotated[str, AfterValidator(_check_date_format)] = "%Y-%m-%d"


class AckPolicy(BaseModel):
    """Which acknowledgements edigate returns to this partner, one setting per acknowledgement type.

    The vocabulary is shared so that a value means the same everywhere:
      ``always``     — for every interchange/document received;
      ``on_request`` — only when the partner asks for it in the envelope;
      ``on_error``   — only when the interchange or one of its messages is rejected;
      ``never``      — not at all.

    ``contrl``: EDIFACT syntax and service report; asked for by UNB 0031 = 1.
    ``aperak``: EDIFACT application error and acknowledgement (business-level errors, after mapping).
    ``ta1``: X12 interchange acknowledgement; asked for by ISA14 = 1.
    ``functional``: X12 functional acknowledgement to send per functional group, ``997`` (the 004010
    habit) or ``999`` (implementation acknowledgement, usual from 005010); ``none`` sends nothing.
    ``application_response``: UBL ApplicationResponse (Peppol message level response).
    """

    model_config = _STRICT

    contrl: Literal["always", "on_request", "on_error", "never"] = "on_request"
    # How long the partner has to acknowledge what we send before it counts as overdue.
    due_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    aperak: Literal["always", "on_error", "never"] = "never"
    ta1: Literal["always", "on_request", "on_error", "never"] = "on_request"
    functional: Literal["none", "997", "999"] = "none"
    application_response: Literal["always", "on_error", "never"] = "never"


_RESERVED_IDS = frozenset({"company"})  # company.toml describes us, so no partner may be called that
_PARTNER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# EDIFACT (ORDERS), X12 transaction sets (850) and XML document names (Invoice, OrderRequest,
# InvoiceDetailRequest, a custom root such as Bestellung) all fit; case matters, as in the messages.
_MESSAGE_TYPE = re.compile(r"[A-Za-z0-9]{3,40}")
_X12_VERSION = re.compile(r"(\d{5})?")


def _check_partner_id(value: str) -> str:
    if not _PARTNER_ID.fullmatch(value):
        raise ValueError(
            "expected a slug of at most 64 lower-case letters, digits and dashes, not starting with a dash"
        )
    if value in _RESERVED_IDS:
        raise ValueError(f"'{value}' is reserved ({value}.toml describes our own company)")
    return value


def _check_message_type(value: str) -> str:
    if not _MESSAGE_TYPE.fullmatch(value):
        raise ValueError(
            "expected a message type of 3 to 40 letters and digits, written as the messages carry it: "
            "ORDERS or INVOIC (EDIFACT), 850 or 810 (X12), Invoice or OrderRequest (UBL, cXML)"
        )
    return value


def _check_x12_version(value: str) -> str:
    if not _X12_VERSION.fullmatch(value):
        raise ValueError("expected the ISA12 version as 5 digits, such as 00401 or 00501")
    return value


PartnerId = Annotated[str, AfterValidator(_check_partner_id)]
MessageType = Annotated[str, AfterValidator(_check_message_type)]
X12Version = Annotated[str, AfterValidator(_check_x12_version)]


class PartnerProfile(BaseModel):
    """One trading partner: how to recognise it, what it may send, how we answer, how its codes map.

    ``api_key_sha256`` is a list so that a key can be rotated: add the new hash, let the partner switch,
    remove the old one. ``inbound_messages`` empty means any message type is accepted.
    A partner is recognised by the identities of its syntax: ``edifact`` (UNB), ``x12`` (ISA/GS) or
    ``xml`` (UBL/cXML sender, or ``xml_map.sender`` for a custom format); ``x12_version`` is the ISA12
    version it sends and expects back (empty: answer in the version received).
    A disabled partner is still *recognised* (so its traffic is attributed and rejected with a clear
    reason instead of "unknown sender"); the gateway checks ``enabled`` before accepting anything.
    """

    model_config = _STRICT

    id: PartnerId
    name: NonEmptyStr
    role: Literal["customer", "supplier"]
    syntax: Literal["edifact", "x12", "xml"] = "edifact"
    edifact: list[EdifactIdentity] = Field(default_factory=list)
    x12: list[X12Identity] = Field(default_factory=list)
    xml: list[XmlIdentity] = Field(default_factory=list)
    x12_version: X12Version = ""
    # What we write to an EDIFACT partner: its directory (EANCOM on top when it is an EANCOM partner)
    # and the character set declared in UNB.
    edifact_version: Literal["D96A", "D01B"] = "D96A"
    edifact_charset: Literal["UNOA", "UNOB", "UNOC", "UNOW", "UNOY"] = "UNOC"
    xml_map: XmlFieldMap | None = None
    api_key_sha256: list[Sha256Hex] = Field(default_factory=list)
    inbound_messages: list[MessageType] = Field(default_factory=list)
    acknowledgements: AckPolicy = Field(default_factory=AckPolicy)
    codes: CodeMaps = Field(default_factory=CodeMaps)
    enabled: bool = True
    # How acknowledgements and documents we send reach the partner: "rest" keeps them for the
    # partner to fetch through the API; "sftp" and "as2" send them over that channel.
    delivery: Literal["rest", "sftp", "as2"] = "rest"
    # AS2 identity, certificates and policy (partners/as2.py); None: the partner does not use AS2.
    as2: As2Settings | None = None
    # SFTP account on our server (mailbox) or the partner's server we poll; see partners/sftp.py.
    sftp: SftpSettings | None = None

    def accepts_message(self, message_type: str) -> bool:
        """Whether this partner may send ``message_type`` (e.g. ``ORDERS``); empty list = anything."""
        return not self.inbound_messages or message_type in self.inbound_messages

    def claims_xml_id(self, id: str) -> bool:
        """Whether one of this partner's ``xml`` identities has ``id``, in any scheme.

        For custom formats: ``xml_map.sender`` yields a bare id (the document names no scheme), and
        this confirms it belongs to the partner whose map was chosen by the document's root.
        """
        wanted = id.strip()
        return any(identity.id == wanted for identity in self.xml)


class CompanyProfile(BaseModel):
    """Our own company: the recipient (UNB S003) of what partners send us, the sender (S002) of ours.

    ``x12`` is our ISA07/ISA08 (recipient) and ISA05/ISA06 (sender) identity, ``xml`` our UBL/cXML
    endpoint; both are optional so an EDIFACT-only installation needs neither.
    """

    model_config = _STRICT

    name: NonEmptyStr
    gln: Gln
    edifact: EdifactIdentity
    x12: X12Identity | None = None
    xml: XmlIdentity | None = None
    # Our AS2 station name and key pair; None: this installation does not speak AS2.
    as2: OwnAs2Settings | None = None
