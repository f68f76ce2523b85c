"""Checking a profile directory: every problem is a value with a file, a location and a stable code.

This module is also *the* parser of profile files. :func:`scan_directory` reads each file once into
either a profile or problems, then runs the cross-file checks; :func:`lint_directory` returns its
problems (``edigate partners lint``) and :func:`partners.loader.load_directory` builds the directory
from the same scan, so what lint accepts is exactly what the gateway loads.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from partners.profile import CompanyProfile, EdifactIdentity, PartnerProfile, X12Identity

COMPANY_FILE = "company.toml"

# Stable problem codes. The dashboard and tests match on these, never on message text.
NOT_A_DIRECTORY = "NOT_A_DIRECTORY"
EMPTY_DIRECTORY = "EMPTY_DIRECTORY"
MISSING_COMPANY = "MISSING_COMPANY"
UNREADABLE_FILE = "UNREADABLE_FILE"
NOT_UTF8 = "NOT_UTF8"
TOML_SYNTAX = "TOML_SYNTAX"
UNKNOWN_KEY = "UNKNOWN_KEY"
MISSING_KEY = "MISSING_KEY"
INVALID_VALUE = "INVALID_VALUE"
ID_NOT_FILE_NAME = "ID_NOT_FILE_NAME"
DUPLICATE_PARTNER_ID = "DUPLICATE_PARTNER_ID"
DUPLICATE_EDIFACT_IDENTITY = "DUPLICATE_EDIFACT_IDENTITY"
DUPLICATE_API_KEY = "DUPLICATE_API_KEY"
DUPLICATE_X12_IDENTITY = "DUPLICATE_X12_IDENTITY"
DUPLICATE_XML_IDENTITY = "DUPLICATE_XML_IDENTITY"
INVALID_XPATH = "INVALID_XPATH"
AMBIGUOUS_XML_ROOT = "AMBIGUOUS_XML_ROOT"
MISSING_XML_IDENTITY = "MISSING_XML_IDENTITY"

# Pydantic error types raised by the profile models themselves that deserve a code of their own.
_ERROR_TYPE_CODES = {"invalid_xpath": INVALID_XPATH}

# Values under these keys are echoed in no message: an operator who pastes a raw API key where its
# hash belongs (or a password, or a private key) must not find it again in a log or the audit trail,
# where refused reloads keep these messages for good.
_SECRET_KEYS = frozenset({"api_key_sha256", "password_hash", "key"})

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class LintProblem:
    """One problem in a profile directory.

    ``file`` is the file name inside the directory (or the directory itself for directory-level
    problems), ``location`` where in it (``codes.units.PCE``, ``edifact[0].qualifier``,
    ``line 3, column 5``; empty for the whole file), ``code`` one of this module's constants.
    """

    file: str
    location: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.location}" if self.location else self.file
        return f"{where}: {self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParsedFile(Generic[M]):
    """A file read into its model, or the reasons it could not be: exactly one side is set."""

    file: str
    profile: M | None
    problems: tuple[LintProblem, ...]


class PartnerFile(NamedTuple):
    """A partner profile that parsed, with the file it came from (for locating cross-file problems)."""

    file: str
    profile: PartnerProfile


@dataclass(frozen=True, slots=True)
class DirectoryScan:
    """Everything read from a directory. The profiles are usable only when ``problems`` is empty."""

    company: CompanyProfile | None
    partners: tuple[PartnerFile, ...]
    problems: tuple[LintProblem, ...]


def lint_directory(path: Path) -> list[LintProblem]:
    """All problems in the profile directory ``path``; an empty list means it loads."""
    return list(scan_directory(path).problems)


def scan_directory(path: Path) -> DirectoryScan:
    """Read every ``*.toml`` in ``path`` (``company.toml`` as our company, the rest as partners).

    Hidden files and subdirectories are ignored. A directory without partner files is valid, so a
    fresh installation can start before its first partner is onboarded; one without any profile
    file at all is reported as empty.
    """
    path = Path(path)
    if not path.is_dir():
        problem = LintProblem(str(path), "", NOT_A_DIRECTORY, "profile directory does not exist")
        return DirectoryScan(None, (), (problem,))

    files = sorted(p for p in path.glob("*.toml") if p.is_file() and not p.name.startswith("."))
    if not files:
        problem = LintProblem(
            str(path), "", EMPTY_DIRECTORY, f"no *.toml profile files, and no {COMPANY_FILE}"
        )
        return DirectoryScan(None, (), (problem,))

    problems: list[LintProblem] = []
    company: CompanyProfile | None = None
    partners: list[PartnerFile] = []
    for file in files:
        if file.name == COMPANY_FILE:
            parsed_company = parse_profile_file(file, CompanyProfile)
            company = parsed_company.profile
            problems.extend(parsed_company.problems)
        else:
            parsed = parse_profile_file(file, PartnerProfile)
            problems.extend(parsed.problems)
            if parsed.profile is not None:
                partners.append(PartnerFile(file.name, parsed.profile))

    if not any(file.name == COMPANY_FILE for file in files):
        problems.append(
            LintProblem(
                COMPANY_FILE,
                "",
                MISSING_COMPANY,
                "our own name, GLN and UNB identity are missing; create this file",
            )
        )
    problems.extend(_check_file_names(partners))
    problems.extend(_check_unique_ids(partners))
    problems.extend(_check_unique_edifact_identities(partners))
    problems.extend(_check_unique_api_keys(partners))
    problems.extend(_check_unique_x12_identities(partners))
    problems.extend(_check_unique_xml_identities(partners))
    problems.extend(_check_xml_senders(partners))
    return DirectoryScan(company, tuple(partners), tuple(problems))


def parse_profile_file(file: Path, model: type[M]) -> ParsedFile[M]:
    """Read one TOML file into ``model``, or into located problems. The only place files are parsed."""
    name = file.name
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return ParsedFile(name, None, (LintProblem(name, "", UNREADABLE_FILE, exc.strerror or str(exc)),))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = LintProblem(name, f"byte {exc.start}", NOT_UTF8, "TOML files must be UTF-8 encoded")
        return ParsedFile(name, None, (problem,))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ParsedFile(name, None, (_toml_problem(name, text, exc),))
    try:
        return ParsedFile(name, model.model_validate(data), ())
    except ValidationError as exc:
        problems = tuple(_schema_problem(name, model, error) for error in exc.errors(include_url=False))
        return ParsedFile(name, None, problems)


def _toml_problem(name: str, text: str, exc: tomllib.TOMLDecodeError) -> LintProblem:
    """tomllib (3.11) puts the position only into its message; move it into the location."""
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is None:
        return LintProblem(name, "", TOML_SYNTAX, message)
    if match.group(1) is not None:
        line, column = int(match.group(1)), int(match.group(2))
    else:  # "at end of document"
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    return LintProblem(name, f"line {line}, column {column}", TOML_SYNTAX, message[: match.start()])


def _schema_problem(name: str, model: type[BaseModel], error: ErrorDetails) -> LintProblem:
    loc = error["loc"]
    location = format_location(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _field_names_at(model, loc[:-1])
        message = f"unknown key '{key}'"
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        elif allowed:
            message += f"; allowed here: {', '.join(sorted(allowed))}"
        return LintProblem(name, location, UNKNOWN_KEY, message)
    if kind == "missing":
        return LintProblem(name, location, MISSING_KEY, f"required key '{loc[-1]}' is missing")

    message = error["msg"].removeprefix("Value error, ")
    if not any(part in _SECRET_KEYS for part in loc):
        message += f"; got {_short_repr(error['input'])}"
    return LintProblem(name, location, _ERROR_TYPE_CODES.get(kind, INVALID_VALUE), message)


def format_location(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as an operator reads it: ``edifact[0].qualifier``, ``codes.units.PCE``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic's marker for "the key of this dict entry"
            out += " (key)"
        else:
            out += f".{part}" if out else part
    return out


def _field_names_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed at ``loc`` inside ``model``, to suggest a fix for a misspelt key."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
            continue
        args = typing.get_args(current)
        if typing.get_origin(current) is list and args:
            current = args[0]
        elif typing.get_origin(current) is dict and len(args) == 2:
            current = args[1]
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _short_repr(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_file_names(partners: list[PartnerFile]) -> list[LintProblem]:
    """``<id>.toml``: the file name is how an operator finds a partner, so it must not lie."""
    problems = []
    for file, profile in partners:
        stem = Path(file).stem
        if profile.id != stem:
            problems.append(
                LintProblem(
                    file,
                    "id",
                    ID_NOT_FILE_NAME,
                    f"id '{profile.id}' does not match the file name; "
                    f'rename the file to {profile.id}.toml or set id = "{stem}"',
                )
            )
    return problems


def _check_unique_ids(partners: list[PartnerFile]) -> list[LintProblem]:
    problems = []
    first_file: dict[str, str] = {}
    for file, profile in partners:
        owner = first_file.setdefault(profile.id, file)
        if owner != file:
            problems.append(
                LintProblem(
                    file,
                    "id",
                    DUPLICATE_PARTNER_ID,
                    f"partner id '{profile.id}' is already used by {owner}",
                )
            )
    return problems


def _check_unique_edifact_identities(partners: list[PartnerFile]) -> list[LintProblem]:
    """No UNB sender may resolve to two partners. An empty qualifier overlaps every qualifier."""
    problems = []
    seen: dict[str, list[tuple[str, str, EdifactIdentity]]] = {}  # UNB id -> (file, partner id, identity)
    for file, profile in partners:
        for index, identity in enumerate(profile.edifact):
            for other_file, other_id, other_identity in seen.get(identity.id, []):
                if other_id != profile.id and identity.overlaps(other_identity):
                    problems.append(
                        LintProblem(
                            file,
                            f"edifact[{index}]",
                            DUPLICATE_EDIFACT_IDENTITY,
                            f"EDIFACT identity {identity.describe()} overlaps "
                            f"{other_identity.describe()} of partner '{other_id}' ({other_file}); "
                            "an UNB sender must identify exactly one partner",
                        )
                    )
                    break
            seen.setdefault(identity.id, []).append((file, profile.id, identity))
    return problems


def _check_unique_api_keys(partners: list[PartnerFile]) -> list[LintProblem]:
    problems = []
    owners: dict[str, tuple[str, str]] = {}  # hash -> (file, partner id)
    for file, profile in partners:
        for index, digest in enumerate(profile.api_key_sha256):
            other_file, other_id = owners.setdefault(digest, (file, profile.id))
            if other_id != profile.id:
                problems.append(
                    LintProblem(
                        file,
                        f"api_key_sha256[{index}]",
                        DUPLICATE_API_KEY,
                        f"the same API key hash is on partner '{other_id}' ({other_file}); "
                        "every partner needs its own key",
                    )
                )
    return problems


def _check_unique_x12_identities(partners: list[PartnerFile]) -> list[LintProblem]:
    """No ISA/GS sender may resolve to two partners. An empty ``gs_id`` overlaps every GS02."""
    problems = []
    seen: dict[tuple[str, str], list[tuple[str, str, X12Identity]]] = {}  # ISA -> (file, partner, identity)
    for file, profile in partners:
        for index, identity in enumerate(profile.x12):
            isa = (identity.qualifier, identity.id)
            for other_file, other_id, other_identity in seen.get(isa, []):
                if other_id != profile.id and identity.overlaps(other_identity):
                    problems.append(
                        LintProblem(
                            file,
                            f"x12[{index}]",
                            DUPLICATE_X12_IDENTITY,
                            f"X12 identity {identity.describe()} overlaps {other_identity.describe()} "
                            f"of partner '{other_id}' ({other_file}); an ISA sender must identify exactly "
                            "one partner (set a different gs_id on each if they share the ISA id)",
                        )
                    )
                    break
            seen.setdefault(isa, []).append((file, profile.id, identity))
    return problems


def _check_unique_xml_identities(partners: list[PartnerFile]) -> list[LintProblem]:
    """No XML sender (scheme compared case-insensitively) may resolve to two partners."""
    problems = []
    owners: dict[tuple[str, str], tuple[str, str]] = {}  # (scheme, id) -> (file, partner id)
    for file, profile in partners:
        for index, identity in enumerate(profile.xml):
            key = (identity.scheme.casefold(), identity.id)
            other_file, other_id = owners.setdefault(key, (file, profile.id))
            if other_id != profile.id:
                problems.append(
                    LintProblem(
                        file,
                        f"xml[{index}]",
                        DUPLICATE_XML_IDENTITY,
                        f"XML identity {identity.describe()} is also claimed by partner '{other_id}' "
                        f"({other_file}); an XML sender must identify exactly one partner",
                    )
                )
    return problems


def _check_xml_senders(partners: list[PartnerFile]) -> list[LintProblem]:
    """A custom XML document must lead to one partner.

    Its root picks the partners mapping that format; when several do, only ``xml_map.sender``
    (checked against each one's ``[[xml]]`` ids) can choose, so each needs one. A ``sender`` without
    any ``[[xml]]`` identity could never match, which would reject every document of that partner.
    """
    problems = []
    by_root: dict[str, list[str]] = {}
    ids_by_root: dict[str, dict[str, tuple[str, str]]] = {}  # root -> xml id -> (partner, scheme)
    for _, profile in partners:
        if profile.xml_map is not None:
            by_root.setdefault(profile.xml_map.root, []).append(profile.id)
    for file, profile in partners:
        xml_map = profile.xml_map
        if xml_map is None:
            continue
        if xml_map.sender and not profile.xml:
            problems.append(
                LintProblem(
                    file,
                    "xml_map.sender",
                    MISSING_XML_IDENTITY,
                    "sender is set but there is no [[xml]] identity to compare its value with; "
                    'add [[xml]] with the id it yields (scheme is a label of your choice, e.g. "GLN")',
                )
            )
        others = [other for other in by_root[xml_map.root] if other != profile.id]
        if others and not xml_map.sender:
            problems.append(
                LintProblem(
                    file,
                    "xml_map.sender",
                    AMBIGUOUS_XML_ROOT,
                    f"root '{xml_map.root}' is also mapped by partner {', '.join(repr(o) for o in others)}; "
                    "set sender (an XPath yielding the sender id) so documents can be told apart",
                )
            )
        # The sender XPath yields a bare id, so sharing partners must not share an id in any scheme.
        claimed = ids_by_root.setdefault(xml_map.root, {})
        # Same id in the same scheme is already DUPLICATE_XML_IDENTITY; one problem per mistake.
        for index, identity in enumerate(profile.xml):
            scheme = identity.scheme.casefold()
            owner, owner_scheme = claimed.setdefault(identity.id, (profile.id, scheme))
            if owner != profile.id and owner_scheme != scheme:
                problems.append(
                    LintProblem(
                        file,
                        f"xml[{index}]",
                        AMBIGUOUS_XML_ROOT,
                        f"partner '{owner}' maps the same root '{xml_map.root}' and also has the id "
                        f"'{identity.id}'; a custom document names no scheme, so it could be either",
                    )
                )
    return problems
