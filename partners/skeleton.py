"""A commented profile skeleton for a new partner, as ``edigate partners new`` writes it.

Onboarding starts from a file that explains itself. Whatever the operator told us on the command line
is filled in; what only the partner can tell us is left *empty and marked* ``FILL IN`` — an empty
string or list that the schema refuses — so ``edigate partners lint`` points at exactly the lines
still to be written, and a half-filled profile can never load with an invented value in it.
Optional settings are written commented out, with their default, so the file doubles as reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

Syntax = Literal["edifact", "x12", "xml"]
Delivery = Literal["rest", "sftp", "as2"]
Role = Literal["customer", "supplier"]

FILL_IN = "FILL IN"
"""The marker on every line an operator must complete before the profile lints clean."""

# What each syntax's partners usually send, to pre-fill inbound_messages for the role.
_TYPICAL_MESSAGES: dict[tuple[Syntax, Role], tuple[str, ...]] = {
    ("edifact", "customer"): ("ORDERS",),
    ("edifact", "supplier"): ("ORDRSP", "DESADV", "INVOIC"),
    ("x12", "customer"): ("850",),
    ("x12", "supplier"): ("855", "856", "810"),
    ("xml", "customer"): ("Order",),
    ("xml", "supplier"): ("Invoice", "CreditNote", "DespatchAdvice"),
}


@dataclass(frozen=True, slots=True)
class SkeletonRequest:
    """What the operator knows when starting a profile; everything else becomes a marked blank.

    ``identities`` are written the way each syntax names a sender: ``ID`` or ``ID:QUALIFIER`` (EDIFACT
    UNB 0004/0007), ``QUALIFIER:ID`` (X12 ISA05/ISA06) and ``SCHEME:ID`` (XML endpoint). Empty: one
    marked blank identity, since a partner nobody can recognise is of no use.
    """

    partner_id: str
    syntax: Syntax
    role: Role
    name: str = ""
    delivery: Delivery = "rest"
    identities: tuple[str, ...] = ()
    messages: tuple[str, ...] | None = None  # None: the typical ones for syntax and role
    api_key_sha256: tuple[str, ...] = ()


class SkeletonError(ValueError):
    """A request the skeleton cannot express (an identity in the wrong shape for its syntax)."""


def render_skeleton(request: SkeletonRequest) -> str:
    """The TOML text of a new ``<partner-id>.toml``."""
    lines = _header(request)
    lines += _acknowledgement_lines(request.syntax)
    lines += _identity_lines(request.syntax, request.identities)
    if request.delivery == "sftp":
        lines += _sftp_lines(request.partner_id)
    if request.delivery == "as2":
        lines += _as2_lines()
    lines += _code_lines()
    return "\n".join(lines) + "\n"


def _toml(value: str) -> str:
    """A TOML basic string (JSON string escaping is valid TOML for the characters we write)."""
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_toml(v) for v in values) + "]"


def _header(request: SkeletonRequest) -> list[str]:
    messages = request.messages
    if messages is None:
        messages = _TYPICAL_MESSAGES[(request.syntax, request.role)]
    name = request.name.strip()
    keys = list(request.api_key_sha256)
    return [
        f"# {name or request.partner_id}: a {request.role} exchanging {request.syntax.upper()} with us.",
        "#",
        f"# Written by `edigate partners new`. Lines marked {FILL_IN} must be completed; then check with",
        "#     edigate partners lint",
        "#     edigate partners test " + request.partner_id + " SAMPLE-FILE",
        "# Unknown keys are errors, so a typo cannot silently switch a setting off.",
        "",
        f"id = {_toml(request.partner_id)}          # must match the file name",
        f"name = {_toml(name)}" + ("" if name else f"          # {FILL_IN}: the partner's name"),
        f'role = "{request.role}"           # "customer" (sends us orders) or "supplier"',
        f'syntax = "{request.syntax}"       # "edifact", "x12" or "xml"',
        "",
        "# REST API keys, stored only as SHA-256 hex digests; several allow a rotation. Make one with",
        "#     edigate partners new ... --api-key   or   POST /v1/admin/partners/<id>/api-keys",
        f"api_key_sha256 = {_toml_list(keys)}",
        "",
        "# Message types this partner may send us; anything else is rejected. Empty: any.",
        f"inbound_messages = {_toml_list(list(messages))}",
        "",
        "# false keeps the partner recognised (its traffic is attributed to it) but refuses what it sends.",
        "enabled = true",
        "",
        '# Where our acknowledgements and documents go: "rest" (fetched over the API), "sftp" or "as2".',
        f'delivery = "{request.delivery}"',
        *_version_lines(request.syntax),
        "",
    ]


def _version_lines(syntax: Syntax) -> list[str]:
    if syntax == "edifact":
        return [
            "",
            "# What we write to this partner: directory and UNB character set.",
            '# edifact_version = "D96A"    # or "D01B"',
            '# edifact_charset = "UNOC"    # UNOA, UNOB, UNOC, UNOW, UNOY',
        ]
    if syntax == "x12":
        return [
            "",
            "# The ISA12 version the partner sends and expects back (00401 = 004010, 00501 = 005010);",
            "# empty answers in the version received.",
            'x12_version = ""',
        ]
    return []


def _acknowledgement_lines(syntax: Syntax) -> list[str]:
    lines = ["[acknowledgements]"]
    if syntax == "edifact":
        lines += [
            '# CONTRL: "always", "on_request" (UNB 0031 = 1), "on_error" or "never".',
            'contrl = "on_request"',
            '# APERAK for business errors found after mapping: "always", "on_error" or "never".',
            'aperak = "never"',
        ]
    elif syntax == "x12":
        lines += [
            '# TA1: "always", "on_request" (ISA14 = 1), "on_error" or "never".',
            'ta1 = "on_request"',
            '# Functional acknowledgement per group: "999" (usual with 005010), "997" or "none".',
            'functional = "997"',
        ]
    else:
        lines += [
            '# UBL ApplicationResponse: "always", "on_error" or "never" (custom XML gets none).',
            'application_response = "on_error"',
        ]
    lines += [
        "# Hours the partner has to acknowledge what we send before it counts as overdue.",
        "due_hours = 24",
        "",
    ]
    return lines


def _identity_lines(syntax: Syntax, identities: tuple[str, ...]) -> list[str]:
    if syntax == "edifact":
        intro = [
            "# How we recognise the partner: its UNB sender (S002). Repeat [[edifact]] for every identity;",
            "# leave out the qualifier to accept the id with any qualifier.",
        ]
        blank = [f'id = ""            # {FILL_IN}: UNB 0004, e.g. the GLN', 'qualifier = "14"  # 14 = GLN']
        table, pairs = "[[edifact]]", [_edifact_pair(i) for i in identities]
    elif syntax == "x12":
        intro = [
            "# How we recognise the partner: its ISA sender, ISA05 (qualifier) / ISA06 (id), unpadded.",
            '# Add gs_id = "..." to require one GS02 application sender code.',
        ]
        blank = ['qualifier = "ZZ"  # ZZ = mutually defined, 01 = DUNS', f'id = ""  # {FILL_IN}: ISA06']
        table, pairs = "[[x12]]", [_split(i, "QUALIFIER:ID", ("qualifier", "id")) for i in identities]
    else:
        intro = [
            "# How we recognise the partner: the sender endpoint (UBL cbc:EndpointID/@schemeID and value,",
            "# cXML From/Credential domain and Identity). For its own XML format add an [xml_map] (see",
            "# partners/demo/contoso.toml) whose sender XPath yields one of these ids.",
        ]
        blank = ['scheme = "0088"   # 0088 = GLN', f'id = ""            # {FILL_IN}: the endpoint id']
        table, pairs = "[[xml]]", [_split(i, "SCHEME:ID", ("scheme", "id")) for i in identities]
    lines = list(intro)
    if not pairs:
        return [*lines, table, *blank, ""]
    for pair in pairs:
        lines.append(table)
        lines += [f"{key} = {_toml(value)}" for key, value in pair]
        lines.append("")
    return lines


def _edifact_pair(identity: str) -> list[tuple[str, str]]:
    sender, _, qualifier = identity.partition(":")
    if not sender.strip():
        raise SkeletonError(f"EDIFACT identity {identity!r}: expected ID or ID:QUALIFIER")
    pair = [("id", sender.strip())]
    return [*pair, ("qualifier", qualifier.strip())] if qualifier.strip() else pair


def _split(identity: str, shape: str, keys: tuple[str, str]) -> list[tuple[str, str]]:
    first, sep, second = identity.partition(":")
    if not sep or not first.strip() or not second.strip():
        raise SkeletonError(f"identity {identity!r}: expected {shape}")
    return [(keys[0], first.strip()), (keys[1], second.strip())]


def _sftp_lines(partner_id: str) -> list[str]:
    return [
        "[sftp]",
        "# The partner logs in to our SFTP server (edigate serve --sftp-port N), drops files in /in and",
        "# collects ours from /out. It needs a public key (OpenSSH authorized_keys lines; or",
        "# authorized_keys_file, relative to the data directory) or a password hash.",
        f'username = "{partner_id}"',
        f"authorized_keys = []   # {FILL_IN}: [\"ssh-ed25519 AAAA... partner\"] "
        "(or POST /v1/admin/partners/<id>/sftp-keys)",
        "keep_uploads = true",
        '# For a server of theirs that we poll instead: mode = "poll", host, username,',
        "# host_key_fingerprint and private_key_file or password_file (see README, SFTP).",
        "",
    ]


def _as2_lines() -> list[str]:
    return [
        "[as2]",
        "# The partner's AS2 name (AS2-From, case-sensitive) and the certificate verifying its signatures",
        "# (paths relative to the data directory; or POST /v1/admin/partners/<id>/as2-certificates).",
        f'id = ""                 # {FILL_IN}: the partner\'s AS2 name',
        f"certificates = []       # {FILL_IN}: [\"certs/PARTNER.pem\"]",
        f'# url = "https://as2.partner.example/as2"   # {FILL_IN} to send to them: their AS2 URL',
        "must_sign = true",
        "must_encrypt = false",
        '# mdn = "sync"           # "sync", "async" or "none" for what we send',
        "",
    ]


def _code_lines() -> list[str]:
    return [
        "# Code mappings, partner value = ERP value, keys exactly as they appear in messages.",
        "[codes.units]",
        '# PCE = "EA"',
        "",
        "[codes.parties]",
        '# "4012345000009" = "CUST-1001"   # GLN (or party id) -> ERP customer / supplier number',
        "",
        "[codes.items]",
        '# "4000001000012" = "SKU-1001"    # partner item number or GTIN -> ERP SKU',
    ]
