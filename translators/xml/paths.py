"""Readable XPaths for error locations: ``/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity``.

lxml's own ``getpath`` writes ``/*/*[7]/*[3]`` for namespaced documents, which nobody can read in a
dashboard. These paths use the specification's prefixes (``cac``/``cbc`` for UBL, see
:mod:`translators.xml.namespaces`), the sender's prefix otherwise, no prefix for the root's own
namespace, and a position only where an element has same-named siblings.
"""

from __future__ import annotations

from lxml import etree

from translators.xml.namespaces import DISPLAY_PREFIXES


def _step(element: etree._Element, root_namespace: str | None) -> str:
    qname = etree.QName(element)
    namespace = qname.namespace
    if namespace is None or namespace == root_namespace:
        prefix = None
    else:
        prefix = DISPLAY_PREFIXES.get(namespace) or element.prefix or "ns"
    name = f"{prefix}:{qname.localname}" if prefix else qname.localname
    parent = element.getparent()
    if parent is None:
        return name
    same = [sibling for sibling in parent if sibling.tag == element.tag]
    if len(same) > 1:
        name += f"[{same.index(element) + 1}]"
    return name


def element_path(element: etree._Element) -> str:
    """The absolute, readable XPath of ``element``."""
    chain: list[etree._Element] = []
    current: etree._Element | None = element
    while current is not None:
        chain.append(current)
        current = current.getparent()
    root_namespace = etree.QName(chain[-1]).namespace
    return "/" + "/".join(_step(e, root_namespace) for e in reversed(chain))


def attribute_path(element: etree._Element, attribute: str) -> str:
    """The XPath of attribute ``attribute`` of ``element`` (``…/ItemOut[2]/@quantity``)."""
    return f"{element_path(element)}/@{attribute}"
