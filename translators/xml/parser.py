"""The one way edigate turns XML bytes into a tree: hardened, bounded, and with located refusals.

Every XML reader in edigate (UBL, cXML, partner XML, acknowledgements) goes through :func:`read_xml`,
so the rules live in one place:

- **no entity is ever expanded** and no DTD is ever loaded, from disk or network. A DOCTYPE that
  *declares* entities is refused outright (``XML_ENTITY_DECLARED``) rather than parsed with the
  entities left unexpanded, because a document whose meaning depends on entities cannot be
  translated faithfully anyway, and refusing is the only answer to billion-laughs and XXE that does
  not depend on parser internals;
- a DOCTYPE that names an external DTD is refused (``XML_DTD_REFUSED``), with one exception: the
  public cXML DTDs (``http://xml.cxml.org/schemas/cXML/<version>/<name>.dtd``) on a ``<cXML>`` root.
  Every real cXML document carries that declaration — the cXML specification requires it — and
  refusing it would refuse cXML as a whole. It is recognised by its URL and never fetched;
- size and nesting depth are bounded (``XML_TOO_LARGE``, ``XML_TOO_DEEP``), so a hostile or broken
  file costs bounded memory and recursion;
- a document that is not well-formed is refused with lxml's line and column (``XML_NOT_WELL_FORMED``).

Refusals raise :class:`~translators.errors.EdiSyntaxError` carrying a located
:class:`~translators.errors.EdiError`, like the EDIFACT reader does for input it cannot read at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from translators.errors import EdiError, EdiSyntaxError, Location
from translators.xml.namespaces import UBL_DOCUMENT_PREFIX

XmlKind = Literal["ubl", "cxml", "custom"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Above any real business document (a 10 000-line invoice is a few MB), small enough to parse safely."""

DEFAULT_MAX_DEPTH = 200
"""UBL nests about 12 deep, cXML about 10; 200 leaves room for any partner XML and stops deep-nesting attacks.

libxml2 itself refuses documents deeper than 256 levels when ``huge_tree`` is off; such a document is
reported as ``XML_TOO_DEEP`` too.
"""

_CXML_DTD = re.compile(r"https?://xml\.cxml\.org/schemas/cxml/[0-9][0-9.]*/[A-Za-z]+\.dtd", re.IGNORECASE)

_UBL_NAMESPACE = re.compile(re.escape(UBL_DOCUMENT_PREFIX) + r"(?P<type>[A-Za-z]+)-2")


@dataclass(frozen=True, slots=True)
class CxmlCredential:
    """One ``<Credential domain="…"><Identity>…</Identity></Credential>`` of a cXML header."""

    domain: str
    identity: str


@dataclass(frozen=True, slots=True)
class CxmlHeader:
    """Who a cXML document says it is from and to (``Header/From``, ``To``, ``Sender``).

    A cXML party may give several credentials (a network id and a DUNS number); they are kept in
    document order and the first one is the party's identity.
    """

    from_: tuple[CxmlCredential, ...] = ()
    to: tuple[CxmlCredential, ...] = ()
    sender: tuple[CxmlCredential, ...] = ()
    payload_id: str | None = None
    timestamp: str | None = None


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """A parsed, accepted XML document and what it is.

    ``kind`` is ``"ubl"`` when the root is in a UBL 2 document namespace whose type matches the root
    name, ``"cxml"`` for a ``<cXML>`` root, else ``"custom"`` (a partner's own XML, mapped by the
    profile). ``document_type`` is the UBL document type (``Invoice``, ``DespatchAdvice`` …) or the
    cXML request / message type (``OrderRequest``, ``ConfirmationRequest`` …), None for custom XML.
    """

    root: etree._Element
    root_name: str
    namespace: str | None
    kind: XmlKind
    document_type: str | None = None
    cxml: CxmlHeader | None = None


def _parser() -> etree.XMLParser:
    """A fresh parser per document: lxml parsers keep an error log, so sharing one would leak state."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


def _refuse(code: str, text: str, line: int | None = None) -> EdiSyntaxError:
    return EdiSyntaxError(EdiError(code=code, text=text, location=Location(line=line), level="interchange"))


def read_xml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> XmlDocument:
    """Parse ``data`` with entity expansion, DTD loading and network access off; classify the result.

    Raises :class:`EdiSyntaxError` with code ``XML_TOO_LARGE``, ``XML_NOT_WELL_FORMED``,
    ``XML_TOO_DEEP``, ``XML_ENTITY_DECLARED`` or ``XML_DTD_REFUSED``.
    """
    if len(data) > max_bytes:
        raise _refuse("XML_TOO_LARGE", f"document is {len(data)} bytes; the limit is {max_bytes} bytes")
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        message = (exc.msg or str(exc)).strip()
        if "Excessive depth" in message:
            raise _refuse(
                "XML_TOO_DEEP", f"elements nest deeper than the parser allows ({message})", line
            ) from None
        if "amplification" in message:  # libxml2 stops an entity bomb before edigate sees a tree
            raise _refuse(
                "XML_ENTITY_DECLARED",
                f"DOCTYPE declares entities that expand into an entity bomb; edigate never expands "
                f"entities ({message})",
                line,
            ) from None
        where = f" at line {line}, column {column}" if line else ""
        raise _refuse("XML_NOT_WELL_FORMED", f"not well-formed XML{where}: {message}", line) from None
    if root is None:
        raise _refuse("XML_NOT_WELL_FORMED", "not well-formed XML: the document has no root element")
    _check_doctype(root)
    too_deep = _first_too_deep(root, max_depth)
    if too_deep is not None:
        raise _refuse(
            "XML_TOO_DEEP",
            f"elements nest deeper than {max_depth} levels (first at line {too_deep.sourceline})",
            too_deep.sourceline,
        )
    return _classify(root)


def _check_doctype(root: etree._Element) -> None:
    """Refuse entity declarations and external DTDs; they were parsed but never expanded or loaded."""
    docinfo = root.getroottree().docinfo
    internal = docinfo.internalDTD
    if internal is not None:
        names = [entity.name for entity in internal.entities()]
        if names:
            listed = ", ".join(sorted(set(names)))
            raise _refuse(
                "XML_ENTITY_DECLARED",
                f"DOCTYPE declares entities; edigate never expands entities (declared: {listed})",
                1,
            )
    system_url = docinfo.system_url
    if system_url or docinfo.public_id:
        if system_url and etree.QName(root).localname == "cXML" and _CXML_DTD.fullmatch(system_url):
            return  # the standard cXML DTD reference: recognised, never fetched
        target = system_url or docinfo.public_id
        raise _refuse(
            "XML_DTD_REFUSED",
            f"DOCTYPE refers to an external DTD ({target}); edigate never loads DTDs",
            1,
        )


def _first_too_deep(root: etree._Element, max_depth: int) -> etree._Element | None:
    """The first element (in document order) nested deeper than ``max_depth``, without recursion."""
    stack: list[tuple[etree._Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            return element
        stack.extend((child, depth + 1) for child in reversed(element))
    return None


def _classify(root: etree._Element) -> XmlDocument:
    qname = etree.QName(root)
    name, namespace = qname.localname, qname.namespace
    match = _UBL_NAMESPACE.fullmatch(namespace or "")
    if match is not None and match.group("type") == name:
        return XmlDocument(root=root, root_name=name, namespace=namespace, kind="ubl", document_type=name)
    if name == "cXML" and namespace is None:
        return XmlDocument(
            root=root,
            root_name=name,
            namespace=None,
            kind="cxml",
            document_type=_cxml_type(root),
            cxml=_cxml_header(root),
        )
    return XmlDocument(root=root, root_name=name, namespace=namespace, kind="custom")


def _cxml_type(root: etree._Element) -> str | None:
    """``OrderRequest`` for ``<cXML><Request><OrderRequest>``; the Message's payload; else ``Response``."""
    for wrapper in ("Request", "Message"):
        container = root.find(wrapper)
        if container is not None:
            for child in container:
                if isinstance(child.tag, str):
                    return child.tag
    if root.find("Response") is not None:
        return "Response"
    return None


def _credentials(header: etree._Element | None, role: str) -> tuple[CxmlCredential, ...]:
    if header is None:
        return ()
    found: list[CxmlCredential] = []
    for credential in header.findall(f"{role}/Credential"):
        identity = (credential.findtext("Identity") or "").strip()
        domain = (credential.get("domain") or "").strip()
        if identity:
            found.append(CxmlCredential(domain=domain, identity=identity))
    return tuple(found)


def _cxml_header(root: etree._Element) -> CxmlHeader:
    header = root.find("Header")
    return CxmlHeader(
        from_=_credentials(header, "From"),
        to=_credentials(header, "To"),
        sender=_credentials(header, "Sender"),
        payload_id=root.get("payloadID"),
        timestamp=root.get("timestamp"),
    )
