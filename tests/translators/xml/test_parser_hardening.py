"""read_xml: one hardened parser. Entities are never expanded, DTDs never loaded, size and depth bounded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.recording_server import recording_server
from translators.errors import EdiSyntaxError
from translators.xml.parser import read_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>"""


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request, to prove the parser never fetches anything."""
    with recording_server(b'<!ENTITY leak "fetched">') as served:
        yield served


def refusal(data: bytes, **limits: int) -> EdiSyntaxError:
    with pytest.raises(EdiSyntaxError) as caught:
        read_xml(data, **limits)
    return caught.value


def test_billion_laughs_is_refused_as_declared_entities_without_expanding_them() -> None:
    error = refusal(BILLION_LAUGHS).error
    assert error.code == "XML_ENTITY_DECLARED"
    assert "DOCTYPE declares entities; edigate never expands entities" in error.text
    assert "lolol" not in error.text
    assert error.level == "interchange"


def test_external_entity_pointing_at_etc_passwd_is_refused_and_not_read() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>'
    error = refusal(data).error
    assert error.code == "XML_ENTITY_DECLARED"
    assert "root:" not in str(error)


def test_parameter_entity_over_http_is_refused_and_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    url, requests = dtd_server
    data = f'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY % pe SYSTEM "{url}/pe.dtd"> %pe;]><foo/>'.encode()
    assert refusal(data).error.code == "XML_ENTITY_DECLARED"
    assert requests == []


def test_external_dtd_over_http_is_refused_and_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    url, requests = dtd_server
    data = f'<?xml version="1.0"?><!DOCTYPE order SYSTEM "{url}/evil.dtd"><order>&leak;</order>'.encode()
    error = refusal(data).error
    assert error.code == "XML_DTD_REFUSED"
    assert "leak" not in error.text and "fetched" not in error.text
    data = f'<?xml version="1.0"?><!DOCTYPE order PUBLIC "-//evil//x" "{url}/evil.dtd"><order/>'.encode()
    error = refusal(data).error
    assert error.code == "XML_DTD_REFUSED"
    assert "edigate never loads DTDs" in error.text
    assert requests == []


def test_the_standard_cxml_dtd_reference_is_accepted_but_not_fetched() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.060/cXML.dtd">'
        b'<cXML payloadID="1" timestamp="2025-01-01T00:00:00Z"><Request><OrderRequest/></Request></cXML>'
    )
    doc = read_xml(data)
    assert (doc.kind, doc.document_type) == ("cxml", "OrderRequest")


def test_a_cxml_dtd_url_on_another_root_is_refused() -> None:
    data = b'<!DOCTYPE Order SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.060/cXML.dtd"><Order/>'
    assert refusal(data).error.code == "XML_DTD_REFUSED"


def test_nesting_deeper_than_max_depth_is_refused_with_its_line() -> None:
    data = b"<a>\n" + b"<b>" * 30 + b"</b>" * 30 + b"\n</a>"
    error = refusal(data, max_depth=20).error
    assert error.code == "XML_TOO_DEEP"
    assert error.location.line == 2


def test_nesting_beyond_libxml2s_own_limit_is_too_deep_too() -> None:
    data = b"<a>" * 5000 + b"</a>" * 5000
    assert refusal(data).error.code == "XML_TOO_DEEP"


def test_input_larger_than_max_bytes_is_refused_before_parsing() -> None:
    data = b"<a>" + b"x" * 2000 + b"</a>"
    error = refusal(data, max_bytes=1000).error
    assert error.code == "XML_TOO_LARGE"
    assert "1000" in error.text


def test_malformed_xml_is_refused_with_line_and_column() -> None:
    data = b'<?xml version="1.0"?>\n<Order>\n  <ID>1</ID>\n  <Line>\n</Order>\n'
    error = refusal(data).error
    assert error.code == "XML_NOT_WELL_FORMED"
    assert error.location.line == 5
    assert "line 5, column" in error.text


def test_empty_input_is_not_well_formed() -> None:
    assert refusal(b"").error.code == "XML_NOT_WELL_FORMED"


def test_comments_are_dropped_and_documents_are_classified() -> None:
    ubl = read_xml(
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><!-- x --><a/></Invoice>'
    )
    assert (ubl.kind, ubl.document_type, ubl.root_name) == ("ubl", "Invoice", "Invoice")
    assert len(ubl.root) == 1
    custom = read_xml(b'<Bestellung xmlns="urn:contoso"/>')
    assert (custom.kind, custom.namespace, custom.document_type) == ("custom", "urn:contoso", None)
    mismatched = read_xml(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    assert mismatched.kind == "custom"
