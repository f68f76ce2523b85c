"""Small realistic interchanges shared by the EDIFACT reader tests.

Texts are written as partners send them; each test encodes them in the charset the UNB declares.
"""

from __future__ import annotations

# EANCOM ORDERS D96A EAN008: a buyer in Cologne orders two items. The FTX and the buyer's name use
# released characters (?+ ?: ?? ?'), the address has umlauts (UNOC = ISO 8859-1).
ORDERS_UNOC = (
    "UNA:+.? '\r\n"
    "UNB+UNOC:3+5412345000013:14+4012345000009:14+240115:1030+ORD0001++ORDERS++1++1'\r\n"
    "UNH+1+ORDERS:D:96A:UN:EAN008'\r\n"
    "BGM+220+PO-4711+9'\r\n"
    "DTM+137:20240115:102'\r\n"
    "FTX+AAI+++Deliver to gate 3?+4, ask for M?:Muller ?? 100?' tall'\r\n"
    "NAD+BY+5412345000013::9++Bäckerei Müller?'s GmbH+Hauptstraße 1+Köln++50667+DE'\r\n"
    "NAD+SU+4012345000009::9'\r\n"
    "LIN+1++4000862141404:EN'\r\n"
    "QTY+21:48:PCE'\r\n"
    "PRI+AAA:1.25'\r\n"
    "MOA+203:60.00'\r\n"
    "LIN+2++4000862141411:EN'\r\n"
    "QTY+21:12'\r\n"
    "PRI+AAA:2.50'\r\n"
    "MOA+203:30.00'\r\n"
    "UNS+S'\r\n"
    "CNT+2:2'\r\n"
    "UNT+17+1'\r\n"
    "UNZ+1+ORD0001'\r\n"
)


def orders_message(ref: str = "1", po: str = "PO-1", gtin: str = "4000862141404") -> list[str]:
    """Segments of one minimal EANCOM ORDERS, UNH to UNT, with a correct count."""
    body = [
        f"UNH+{ref}+ORDERS:D:96A:UN:EAN008",
        f"BGM+220+{po}+9",
        "DTM+137:20240115:102",
        "NAD+BY+5412345000013::9",
        "NAD+SU+4012345000009::9",
        f"LIN+1++{gtin}:EN",
        "QTY+21:10",
        "UNS+S",
    ]
    return [*body, f"UNT+{len(body) + 1}+{ref}"]


def interchange(
    *segments: str,
    charset: str = "UNOC:3",
    ref: str = "IC1",
    date: str = "240115:1030",
    count: int | None = None,
    una: str | None = "UNA:+.? '",
    unz: bool = True,
) -> str:
    """UNB + ``segments`` + UNZ with default separators; UNZ counts UNH (or UNG) unless ``count``."""
    groups = sum(1 for s in segments if s.startswith("UNG+"))
    units = groups or sum(1 for s in segments if s.startswith("UNH+"))
    lines = [f"UNB+{charset}+SENDER:14+RECEIVER:14+{date}+{ref}", *segments]
    if unz:
        lines.append(f"UNZ+{units if count is None else count}+{ref}")
    return (una or "") + "".join(line + "'" for line in lines)
