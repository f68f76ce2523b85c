"""The partner profile schema: what an operator writes in ``<partner-id>.toml`` and ``company.toml``.

The models are strict on purpose. ``extra="forbid"`` turns a misspelt key (``qualifer``) into a lint
error instead of a silently ignored setting, and ``frozen=True`` keeps a loaded profile from being
changed behind the directory's back: a change on disk means a new directory, not an edited one.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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


class AckPolicy(BaseModel):
    """Which acknowledgements edigate returns to this partner.

    ``contrl`` (EDIFACT syntax and service report):
      ``always``     — for every interchange received;
      ``on_request`` — only when the partner asks for it in UNB 0031 (acknowledgement request) = 1;
      ``on_error``   — only when the interchange or one of its messages is rejected;
      ``never``      — not at all.
    """

    model_config = _STRICT

    contrl: Literal["always", "on_request", "on_error", "never"] = "on_request"
    # Room to grow, same shape and vocabulary per acknowledgement type:
    # aperak: Literal["always", "on_error", "never"]   (EDIFACT application error / acknowledgement)
    # ta1 / x997 / x999: Literal[...]                   (X12 interchange / functional acknowledgements)
    # ubl_application_response: ...                     (UBL)


_RESERVED_IDS = frozenset({"company"})  # company.toml describes us, so no partner may be called that
_PARTNER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_MESSAGE_TYPE = re.compile(r"[A-Z0-9]{3,6}")


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
        raise ValueError("expected a message type in upper case, such as ORDERS, DESADV or INVOIC")
    return value


PartnerId = Annotated[str, AfterValidator(_check_partner_id)]
MessageType = Annotated[str, AfterValidator(_check_message_type)]


class PartnerProfile(BaseModel):
    """One trading partner: how to recognise it, what it may send, how we answer, how its codes map.

    ``api_key_sha256`` is a list so that a key can be rotated: add the new hash, let the partner switch,
    remove the old one. ``inbound_messages`` empty means any message type is accepted.
    A disabled partner is still *recognised* (so its traffic is attributed and rejected with a clear
    reason instead of "unknown sender"); the gateway checks ``enabled`` before accepting anything.
    """

    model_config = _STRICT

    id: PartnerId
    name: NonEmptyStr
    role: Literal["customer", "supplier"]
    syntax: Literal["edifact", "x12", "xml"] = "edifact"
    edifact: list[EdifactIdentity] = Field(default_factory=list)
    api_key_sha256: list[Sha256Hex] = Field(default_factory=list)
    inbound_messages: list[MessageType] = Field(default_factory=list)
    acknowledgements: AckPolicy = Field(default_factory=AckPolicy)
    codes: CodeMaps = Field(default_factory=CodeMaps)
    enabled: bool = True

    def accepts_message(self, message_type: str) -> bool:
        """Whether this partner may send ``message_type`` (e.g. ``ORDERS``); empty list = anything."""
        return not self.inbound_messages or message_type in self.inbound_messages


class CompanyProfile(BaseModel):
    """Our own company: the recipient (UNB S003) of what partners send us, the sender (S002) of ours."""

    model_config = _STRICT

    name: NonEmptyStr
    gln: Gln
    edifact: EdifactIdentity
