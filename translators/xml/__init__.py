"""XML in and out: one hardened parser, identity extraction, UBL 2.1 / cXML / partner-XML maps, a UBL writer.

``read_xml`` → ``XmlDocument`` → ``sender_identity`` (partner resolution) → ``map_xml`` (canonical
document + located errors); ``to_ubl`` renders a canonical document as UBL 2.1.
"""

from translators.xml.identity import document_number, recipient_identity, sender_identity
from translators.xml.maps import map_xml
from translators.xml.parser import CxmlCredential, CxmlHeader, XmlDocument, read_xml
from translators.xml.writer_ubl import to_ubl

__all__ = [
    "CxmlCredential",
    "CxmlHeader",
    "XmlDocument",
    "document_number",
    "map_xml",
    "read_xml",
    "recipient_identity",
    "sender_identity",
    "to_ubl",
]
