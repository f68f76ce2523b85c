"""A partner's own XML → a canonical document, driven by the XPath field map in its profile.

Onboarding an XML partner must not need code, so the profile says where each canonical field is
(``partners.profile.XmlFieldMap``): ``fields`` maps dotted canonical paths (``buyer.address.city``) to
XPaths on the root, ``lines`` selects the line elements and ``line_fields`` maps line fields to XPaths
on each line. This module evaluates them, builds nested dicts from the dotted paths and lets the
canonical pydantic model validate the result.

Numbers and dates are parsed here, not by pydantic, because pydantic is lenient where edigate must be
strict (it accepts ``1e3`` for a Decimal) and cannot say *where* in the document a value came from.
Every error names the canonical field, the XPath that fed it and — when the XPath reached a node —
that node's path and line. Party GLNs, units and items go through the partner's code maps as in
every other map.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, Union

from lxml import etree
from pydantic import BaseModel, ValidationError

from translators.documents.common import CanonicalModel, ItemLine, Party
from translators.documents.schema import DOCUMENT_MODELS
from translators.edifact.maps.result import CodeLookup, MapResult
from translators.errors import Location
from translators.xml.parser import XmlDocument
from translators.xml.paths import element_path
from translators.xml.values import ValueReader

_STRING_CALL = re.compile(r"\s*string\s*\((?P<inner>.+)\)\s*", re.DOTALL)


class XmlFieldMapLike(Protocol):
    """What the map reads from ``partners.profile.XmlFieldMap`` (a test may pass any such object)."""

    @property
    def root(self) -> str: ...

    @property
    def document_type(self) -> str: ...

    @property
    def namespaces(self) -> Mapping[str, str]: ...

    @property
    def fields(self) -> Mapping[str, str]: ...

    @property
    def lines(self) -> str: ...

    @property
    def line_fields(self) -> Mapping[str, str]: ...

    @property
    def date_format(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class _Hit:
    """One value an XPath produced, and where it came from (for error locations)."""

    text: str
    location: Location


@dataclass(frozen=True, slots=True)
class _Source:
    """Which XPath fed a canonical field, and where its value was, for pydantic errors."""

    xpath: str
    location: Location


def _unwrap(annotation: Any) -> Any:
    """``Money | None`` → ``Decimal``; ``list[Reference]`` stays a list (its origin is ``list``)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _field_type(model: type[BaseModel], dotted: str) -> Any:
    """The (unwrapped) type of canonical field ``dotted`` in ``model``; None when there is no such field."""
    current: Any = model
    for part in dotted.split("."):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _unwrap(info.annotation)
    return current


def _line_model(model: type[BaseModel]) -> type[BaseModel] | None:
    lines = _field_type(model, "lines")
    if typing.get_origin(lines) is list:
        item = _unwrap(typing.get_args(lines)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):  # a profile mapping both "buyer" and "buyer.gln": pydantic says so
            return
        target = child
    target[parts[-1]] = value


class _CustomMapper:
    """State of one map_custom call; lives only as long as the call."""

    def __init__(self, doc: XmlDocument, xml_map: XmlFieldMapLike, codes: CodeLookup) -> None:
        self.doc = doc
        self.map = xml_map
        self.codes = codes
        self.reader = ValueReader()
        self.namespaces = dict(xml_map.namespaces or {})
        self.date_style = xml_map.date_format or "%Y-%m-%d"
        self.sources: dict[tuple[str | int, ...], _Source] = {}

    # -- XPath evaluation -----------------------------------------------------------------------

    def evaluate(self, context: etree._Element, xpath: str, what: str) -> list[_Hit] | None:
        """The values ``xpath`` yields on ``context``; None (and an error) when it cannot be evaluated."""
        try:
            result = context.xpath(xpath, namespaces=self.namespaces)
        except (etree.XPathError, TypeError, ValueError) as exc:
            self.reader.error("INVALID_XPATH", f"{what}: XPath {xpath!r} cannot be evaluated: {exc}", context)
            return None
        if isinstance(result, bool):
            return [_Hit("true" if result else "false", self.node_location(context, xpath))]
        if isinstance(result, float):
            text = "" if result != result else format(Decimal(repr(result)).normalize(), "f")  # NaN → empty
            return [_Hit(text, self.node_location(context, xpath))]
        if isinstance(result, str):
            return [_Hit(str(result), self.node_location(context, xpath))]
        hits: list[_Hit] = []
        for item in result:
            if isinstance(item, etree._Element):
                hits.append(_Hit("".join(item.itertext()), self.reader.location(item)))
            elif isinstance(item, str):  # attribute value or text(): a "smart string" knows its parent
                parent = getattr(item, "getparent", lambda: None)()
                attribute = getattr(item, "attrname", None) if getattr(item, "is_attribute", False) else None
                location = (
                    self.reader.location(parent, attribute) if parent is not None else self.context(context)
                )
                hits.append(_Hit(str(item), location))
        return hits

    def context(self, element: etree._Element) -> Location:
        return Location(path=element_path(element), line=element.sourceline)

    def node_location(self, context: etree._Element, xpath: str) -> Location:
        """Where a ``string(path)`` value came from: the first node ``path`` selects, else ``context``."""
        match = _STRING_CALL.fullmatch(xpath)
        if match is not None:
            try:
                nodes = context.xpath(match.group("inner"), namespaces=self.namespaces)
            except (etree.XPathError, TypeError, ValueError):
                nodes = None
            if isinstance(nodes, list) and nodes:
                first = nodes[0]
                if isinstance(first, etree._Element):
                    return self.reader.location(first)
                parent = getattr(first, "getparent", lambda: None)()
                if parent is not None:
                    attribute = (
                        getattr(first, "attrname", None) if getattr(first, "is_attribute", False) else None
                    )
                    return self.reader.location(parent, attribute)
        return self.context(context)

    # -- values ---------------------------------------------------------------------------------

    def value(self, hit: _Hit, field_type: Any, what: str) -> Any:
        """Text → the canonical field's type, strictly; None for an empty value or on error."""
        text = hit.text.strip()
        if text == "":
            return None
        if field_type is Decimal:
            return self.reader.parse_decimal(text, what, hit.location)
        if field_type is dt.date:
            return self.reader.parse_date(text, what, hit.location, style=self.date_style)
        if field_type is int:
            number = self.reader.parse_decimal(text, what, hit.location)
            if number is None:
                return None
            if number != number.to_integral_value():
                self.reader.add("INVALID_NUMBER", f"{what} {text!r} is not a whole number", hit.location)
                return None
            return int(number)
        if field_type is bool:
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            self.reader.add(
                "INVALID_VALUE", f"{what} {text!r} is not a boolean (true or false)", hit.location
            )
            return None
        return re.sub(r"\s+", " ", text)

    def fill(
        self,
        target: dict[str, Any],
        model: type[BaseModel],
        context: etree._Element,
        field_map: Mapping[str, str],
        prefix: tuple[str | int, ...],
    ) -> None:
        """Evaluate each mapped XPath on ``context`` and put its value at the dotted path in ``target``."""
        for dotted, xpath in field_map.items():
            label = ".".join(str(p) for p in (*prefix, dotted))
            what = f"{label} (XPath {xpath})"
            hits = self.evaluate(context, xpath, label)
            if hits is None:
                continue
            field_type = _field_type(model, dotted)
            key = (*prefix, *dotted.split("."))
            self.sources[key] = _Source(xpath, hits[0].location if hits else self.context(context))
            if typing.get_origin(field_type) is list:
                item_type = _unwrap(typing.get_args(field_type)[0])
                values = [self.value(h, item_type, what) for h in hits]
                _set(target, dotted, [v for v in values if v is not None])
                continue
            non_empty = [h for h in hits if h.text.strip()]
            if len(non_empty) > 1:
                self.reader.add(
                    "AMBIGUOUS_VALUE",
                    f"{label}: XPath {xpath!r} selects {len(non_empty)} values for a single field",
                    non_empty[1].location,
                )
                continue
            if non_empty:
                value = self.value(non_empty[0], field_type, what)
                if value is not None:
                    _set(target, dotted, value)

    # -- code maps ------------------------------------------------------------------------------

    def apply_codes(self, data: dict[str, Any], model: type[BaseModel]) -> None:
        """ERP ids for party GLNs and items, ERP units for units, as every other map does."""
        for name in list(data):
            field_type = _field_type(model, name)
            value = data[name]
            if isinstance(field_type, type) and issubclass(field_type, Party) and isinstance(value, dict):
                gln = value.get("gln")
                if isinstance(gln, str) and "erp_id" not in value:
                    erp_id = self.codes.party(gln)
                    if erp_id is not None:
                        value["erp_id"] = erp_id

    def apply_line_codes(self, line: dict[str, Any]) -> None:
        if isinstance(line.get("unit"), str):
            line["unit"] = self.codes.unit(line["unit"])
        if "erp_item_id" not in line:
            for key in ("gtin", "seller_item_id", "buyer_item_id"):
                candidate = line.get(key)
                if isinstance(candidate, str):
                    erp_item_id = self.codes.item(candidate)
                    if erp_item_id is not None:
                        line["erp_item_id"] = erp_item_id
                        break

    def line_elements(self, root: etree._Element) -> list[etree._Element]:
        """The elements ``lines`` selects; an error when it fails or selects something else."""
        try:
            selected = root.xpath(self.map.lines, namespaces=self.namespaces)
        except (etree.XPathError, TypeError, ValueError) as exc:
            self.reader.error(
                "INVALID_XPATH", f"lines: XPath {self.map.lines!r} cannot be evaluated: {exc}", root
            )
            return []
        if not isinstance(selected, list) or not all(isinstance(e, etree._Element) for e in selected):
            self.reader.error(
                "INVALID_XPATH", f"lines: XPath {self.map.lines!r} does not select elements", root
            )
            return []
        return selected

    # -- the whole map --------------------------------------------------------------------------

    def run(self) -> MapResult[CanonicalModel]:
        root = self.doc.root
        reader = self.reader
        model = DOCUMENT_MODELS.get(self.map.document_type)
        if model is None:
            known = ", ".join(sorted(DOCUMENT_MODELS))
            reader.error(
                "UNSUPPORTED_XML_DOCUMENT",
                f"the partner's xml_map names document type {self.map.document_type!r}; known: {known}",
                root,
            )
            return MapResult(document=None, errors=reader.errors)
        expected_root = self.map.root.rpartition(":")[2].rpartition("}")[2]
        if self.doc.root_name != expected_root:
            reader.error(
                "UNEXPECTED_ROOT",
                f"the document element is {self.doc.root_name!r}; the partner's xml_map expects "
                f"{expected_root!r}",
                root,
            )
            return MapResult(document=None, errors=reader.errors)
        data: dict[str, Any] = {}
        self.fill(data, model, root, self.map.fields, ())
        self.apply_codes(data, model)
        line_model = _line_model(model)
        if self.map.lines and line_model is not None:
            lines: list[dict[str, Any]] = []
            for index, element in enumerate(self.line_elements(root)):
                line: dict[str, Any] = {}
                self.fill(line, line_model, element, self.map.line_fields, ("lines", index))
                if issubclass(line_model, ItemLine):
                    line.setdefault("line_number", str(index + 1))
                    self.apply_line_codes(line)
                self.sources.setdefault(("lines", index), _Source(self.map.lines, reader.location(element)))
                lines.append(line)
            data["lines"] = lines
        if reader.errors:
            return MapResult(document=None, errors=reader.errors)
        try:
            document = model.model_validate(data)
        except ValidationError as exc:
            self.validation_errors(exc)
            return MapResult(document=None, errors=reader.errors)
        return MapResult(document=document, errors=[])

    def validation_errors(self, exc: ValidationError) -> None:
        """One located error per pydantic complaint, naming the canonical field and its XPath."""
        for problem in exc.errors(include_url=False):
            loc = tuple(problem["loc"])
            field = ".".join(str(p) for p in loc) or "(document)"
            source = None
            for length in range(len(loc), 0, -1):
                source = self.sources.get(loc[:length])
                if source is not None:
                    break
            if problem["type"] == "missing":
                code = "MISSING_VALUE"
                text = f"canonical field {field} is required"
            else:
                code = "INVALID_VALUE"
                text = f"canonical field {field}: {problem['msg']}"
            if source is not None:
                text += f" (XPath {source.xpath!r} in the partner's xml_map)"
                location = source.location
            else:
                text += " (no XPath in the partner's xml_map fills it)"
                location = self.context(self.doc.root)
            self.reader.add(code, text, location)


def map_custom(doc: XmlDocument, xml_map: XmlFieldMapLike, codes: CodeLookup) -> MapResult[CanonicalModel]:
    """Translate a partner's own XML with the XPath field map of its profile.

    Returns the canonical document of ``xml_map.document_type`` with no errors, or no document and
    every located error found.
    """
    return _CustomMapper(doc, xml_map, codes).run()
