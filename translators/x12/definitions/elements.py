"""Segment element definitions: position, data element number, requirement, type, length.

Each segment is one compact line: elements separated by ``|``, each ``"<number> <req> <type> <min>/<max>"``
(``req`` M mandatory, O optional, X conditional; ``type`` AN, ID, DT, TM, R, N0-N4); a composite is
``"<name> <req> [<component>, <component>]"``. A trailing ``"... <n>"`` says the segment has ``n``
elements of which only the leading ones are described here (the rest are counted, not checked).
Syntax notes go in a second string: ``P0304`` paired, ``R0203`` at least one, ``C0405`` if the first
then all, ``L010203`` if the first then at least one more, ``E0102`` at most one.

Written from public implementation guides for 004010 and 005010; 005010 repeats 004010 except where
:data:`SEGMENTS_005010` overrides a segment.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

SEGMENTS_004010: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        # --- envelope ------------------------------------------------------------------------
        "GS": (
            "479 M ID 2/2 | 142 M AN 2/15 | 124 M AN 2/15 | 373 M DT 8/8 | 337 M TM 4/8 | 28 M N0 1/9 "
            "| 455 M ID 1/2 | 480 M AN 1/12",
            "",
        ),
        "GE": ("97 M N0 1/6 | 28 M N0 1/9", ""),
        "ST": ("143 M ID 3/3 | 329 M AN 4/9", ""),
        "SE": ("96 M N0 1/10 | 329 M AN 4/9", ""),
        "TA1": ("I12 M N0 9/9 | I08 M DT 6/6 | I09 M TM 4/4 | I17 M ID 1/1 | I18 M ID 3/3", ""),
        # --- shared business segments ---------------------------------------------------------
        "CUR": ("98 M ID 2/3 | 100 M ID 3/3 | 280 O R 4/10 | ... 21", ""),
        "REF": (
            "128 M ID 2/3 | 127 X AN 1/30 | 352 X AN 1/80 | C040 O [128 M ID 2/3, 127 M AN 1/30]",
            "R0203",
        ),
        "PER": (
            "366 M ID 2/2 | 93 O AN 1/60 | 365 X ID 2/2 | 364 X AN 1/80 | 365 X ID 2/2 | 364 X AN 1/80 "
            "| 365 X ID 2/2 | 364 X AN 1/80 | 443 O AN 1/20",
            "P0304 P0506 P0708",
        ),
        "DTM": (
            "374 M ID 3/3 | 373 X DT 8/8 | 337 X TM 4/8 | 623 O ID 2/2 | 1250 X ID 2/3 | 1251 X AN 1/35",
            "R020305 C0403 P0506",
        ),
        "NTE": ("363 O ID 3/3 | 352 M AN 1/80", ""),
        "FOB": ("146 M ID 2/2 | 309 X ID 1/2 | 352 X AN 1/80 | ... 9", ""),
        "ITD": (
            "336 O ID 2/2 | 333 O ID 1/2 | 338 O R 1/6 | 370 X DT 8/8 | 351 X N0 1/3 | 446 O DT 8/8 "
            "| 386 O N0 1/3 | 362 O N2 1/10 | 388 X N2 1/10 | 389 O N2 1/10 | 342 X R 1/5 "
            "| 352 O AN 1/80 | 765 O N0 1/2 | 107 O ID 1/2 | 954 O R 1/10",
            "",
        ),
        "TD5": ("133 O ID 1/2 | 66 X ID 1/2 | 67 X AN 2/80 | 91 X ID 1/2 | 387 X AN 1/35 | ... 15", "P0203"),
        "TD1": (
            "103 O ID 3/5 | 80 X N0 1/7 | 23 O ID 1/1 | 22 X AN 1/30 | 79 X AN 1/50 | 187 O ID 1/2 "
            "| 81 X R 1/10 | 355 X ID 2/2 | 183 X R 1/8 | 355 X ID 2/2",
            "C0102 P0607 P0708",
        ),
        "N9": (
            "128 M ID 2/3 | 127 X AN 1/30 | 369 X AN 1/45 | 373 O DT 8/8 | 337 X TM 4/8 | 623 O ID 2/2 "
            "| C040 O [128 M ID 2/3, 127 M AN 1/30]",
            "R0203",
        ),
        "MSG": ("933 M AN 1/264 | 934 X ID 2/2 | 1470 O N0 1/9", ""),
        "N1": (
            "98 M ID 2/3 | 93 X AN 1/60 | 66 X ID 1/2 | 67 X AN 2/80 | 706 O ID 2/2 | 98 O ID 2/3",
            "R0203 P0304",
        ),
        "N2": ("93 M AN 1/60 | 93 O AN 1/60", ""),
        "N3": ("166 M AN 1/55 | 166 O AN 1/55", ""),
        "N4": (
            "19 O AN 2/30 | 156 O ID 2/2 | 116 O ID 3/15 | 26 O ID 2/3 | 309 X ID 1/2 | 310 O AN 1/30",
            "C0605",
        ),
        "PID": (
            "349 M ID 1/1 | 750 O ID 2/3 | 559 X ID 2/2 | 751 X AN 1/12 | 352 X AN 1/80 | 752 O ID 2/2 "
            "| 822 O AN 1/15 | 1073 O ID 1/1 | 819 O ID 2/3",
            "C0403 R0405",
        ),
        "PO4": ("356 O N0 1/6 | 357 X R 1/8 | 355 X ID 2/2 | 103 O ID 3/5 | ... 18", "C0203"),
        "SAC": (
            "248 M ID 1/1 | 1300 X ID 4/4 | 559 X ID 2/2 | 1301 X AN 1/10 | 610 O N2 1/15 "
            "| 378 X ID 1/1 | 332 O R 1/6 | 118 X R 1/9 | 355 X ID 2/2 | 380 X R 1/15 | 380 O R 1/15 "
            "| 331 O ID 2/2 | 127 X AN 1/30 | 770 O AN 1/20 | 352 X AN 1/80 | 819 O ID 2/3",
            "R0203 P0304 P0607 P0910",
        ),
        "TXI": (
            "963 M ID 2/2 | 782 X R 1/18 | 954 X R 1/10 | 955 X ID 2/2 | 956 X AN 1/30 | 441 X ID 1/1 "
            "| 1325 O ID 1/1 | 828 X R 1/9 | 325 O AN 1/20 | 350 O AN 1/20",
            "R020306 P0405",
        ),
        "CTT": (
            "354 M N0 1/6 | 347 O R 1/10 | 81 X R 1/10 | 355 X ID 2/2 | 183 X R 1/8 | 355 X ID 2/2 "
            "| 352 O AN 1/80",
            "P0304 P0506",
        ),
        "AMT": ("522 M ID 1/3 | 782 M R 1/18 | 478 O ID 1/1", ""),
        "LIN": (
            "350 O AN 1/20 | 235 M ID 2/2 | 234 M AN 1/48" + " | 235 X ID 2/2 | 234 X AN 1/48" * 14,
            "P0405 P0607 P0809 P1011 P1213",
        ),
        # --- 850 / 855 ----------------------------------------------------------------------
        "BEG": (
            "353 M ID 2/2 | 92 M ID 2/2 | 324 M AN 1/22 | 328 O AN 1/30 | 373 M DT 8/8 | 367 O AN 1/30 "
            "| 587 O ID 2/2 | 1019 O ID 3/3 | 1166 O ID 2/2 | 1232 O ID 2/2 | 786 O ID 2/2 | 640 O ID 2/2",
            "",
        ),
        "PO1": (
            "350 O AN 1/20 | 330 X R 1/15 | 355 O ID 2/2 | 212 X R 1/17 | 639 O ID 2/2"
            + " | 235 X ID 2/2 | 234 X AN 1/48" * 10,
            "C0302 C0504 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425",
        ),
        "BAK": (
            "353 M ID 2/2 | 587 M ID 2/2 | 324 M AN 1/22 | 373 M DT 8/8 | 328 O AN 1/30 | 326 O AN 1/30 "
            "| 367 O AN 1/30 | 127 O AN 1/30 | 373 O DT 8/8",
            "",
        ),
        "ACK": (
            "668 M ID 2/2 | 380 X R 1/15 | 355 X ID 2/2 | 374 X ID 3/3 | 373 X DT 8/8 | ... 29",
            "P0203 C0405",
        ),
        # --- 856 ----------------------------------------------------------------------------
        "BSN": (
            "353 M ID 2/2 | 396 M AN 2/30 | 373 M DT 8/8 | 337 M TM 4/8 | 1005 O ID 4/4 | 640 X ID 2/2 "
            "| 641 O ID 3/3",
            "C0706",
        ),
        "HL": ("628 M AN 1/12 | 734 O AN 1/12 | 735 M ID 1/2 | 736 O ID 1/1", ""),
        "SN1": (
            "350 O AN 1/20 | 382 M R 1/10 | 355 M ID 2/2 | 646 O R 1/15 | 330 X R 1/15 | 355 X ID 2/2 "
            "| 728 O ID 2/2 | 668 O ID 2/2",
            "P0506",
        ),
        "PRF": (
            "324 M AN 1/22 | 328 O AN 1/30 | 327 O AN 1/8 | 373 O DT 8/8 | 350 O AN 1/20 | 367 O AN 1/30 "
            "| 92 O ID 2/2",
            "",
        ),
        "MAN": (
            "88 M ID 1/2 | 87 M AN 1/48 | 87 O AN 1/48 | 88 X ID 1/2 | 87 X AN 1/48 | 87 O AN 1/48",
            "P0405 C0605",
        ),
        # --- 810 ----------------------------------------------------------------------------
        "BIG": (
            "373 M DT 8/8 | 76 M AN 1/22 | 373 O DT 8/8 | 324 O AN 1/22 | 328 O AN 1/30 | 327 O AN 1/8 "
            "| 640 O ID 2/2 | 353 O ID 2/2 | 306 O ID 1/2 | 76 O AN 1/22",
            "",
        ),
        "IT1": (
            "350 O AN 1/20 | 358 X R 1/10 | 355 X ID 2/2 | 212 X R 1/17 | 639 O ID 2/2"
            + " | 235 X ID 2/2 | 234 X AN 1/48" * 10,
            "P020304 C0504 P0607 P0809 P1011 P1213 P1415 P1617 P1819 P2021 P2223 P2425",
        ),
        "TDS": ("610 M N2 1/15 | 610 O N2 1/15 | 610 O N2 1/15 | 610 O N2 1/15", ""),
        "ISS": ("382 X R 1/10 | 355 X ID 2/2 | 81 X R 1/10 | 355 X ID 2/2 | ... 6", "P0102 P0304"),
        "CAD": (
            "91 O ID 1/2 | 206 O AN 1/4 | 207 X AN 1/10 | 140 X ID 2/4 | 387 X AN 1/35 | ... 10",
            "R0405",
        ),
        # --- 997 ----------------------------------------------------------------------------
        "AK1": ("479 M ID 2/2 | 28 M N0 1/9", ""),
        "AK2": ("143 M ID 3/3 | 329 M AN 4/9", ""),
        "AK3": ("721 M ID 2/3 | 719 M N0 1/6 | 447 O AN 1/4 | 720 O ID 1/3", ""),
        "AK4": ("C030 M [722 M N0 1/2, 1528 O N0 1/2] | 725 O N0 1/4 | 723 M ID 1/3 | 724 O AN 1/99", ""),
        "AK5": ("717 M ID 1/1" + " | 718 O ID 1/3" * 5, ""),
        "AK9": ("715 M ID 1/1 | 97 M N0 1/6 | 123 M N0 1/6 | 2 M N0 1/6" + " | 716 O ID 1/3" * 5, ""),
    }
)

SEGMENTS_005010: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        **SEGMENTS_004010,
        "ST": ("143 M ID 3/3 | 329 M AN 4/9 | 1705 O AN 1/35", ""),
        "REF": (
            "128 M ID 2/3 | 127 X AN 1/50 | 352 X AN 1/80 | C040 O [128 M ID 2/3, 127 M AN 1/50]",
            "R0203",
        ),
        "PER": (
            "366 M ID 2/2 | 93 O AN 1/60 | 365 X ID 2/2 | 364 X AN 1/256 | 365 X ID 2/2 "
            "| 364 X AN 1/256 | 365 X ID 2/2 | 364 X AN 1/256 | 443 O AN 1/20",
            "P0304 P0506 P0708",
        ),
        "N9": (
            "128 M ID 2/3 | 127 X AN 1/50 | 369 X AN 1/45 | 373 O DT 8/8 | 337 X TM 4/8 | 623 O ID 2/2 "
            "| C040 O [128 M ID 2/3, 127 M AN 1/50]",
            "R0203",
        ),
        "N4": (
            "19 O AN 2/30 | 156 X ID 2/2 | 116 O ID 3/15 | 26 X ID 2/3 | 309 X ID 1/2 | 310 O AN 1/30 "
            "| 1715 X ID 1/3",
            "E0207 C0605 C0704",
        ),
        "BAK": (
            "353 M ID 2/2 | 587 M ID 2/2 | 324 M AN 1/22 | 373 M DT 8/8 | 328 O AN 1/30 | 326 O AN 1/30 "
            "| 367 O AN 1/30 | 127 O AN 1/50 | 373 O DT 8/8 | 640 O ID 2/2",
            "",
        ),
        "AK1": ("479 M ID 2/2 | 28 M N0 1/9 | 480 O AN 1/12", ""),
        "AK2": ("143 M ID 3/3 | 329 M AN 4/9 | 1705 O AN 1/35", ""),
        "AK3": ("721 M ID 2/3 | 719 M N0 1/10 | 447 O AN 1/4 | 720 O ID 1/3", ""),
        "AK4": (
            "C030 M [722 M N0 1/2, 1528 O N0 1/2, 1686 O N0 1/4] | 725 O N0 1/4 | 723 M ID 1/3 "
            "| 724 O AN 1/99",
            "",
        ),
        # --- 999 ----------------------------------------------------------------------------
        "IK3": ("721 M ID 2/3 | 719 M N0 1/10 | 447 O AN 1/4 | 620 O ID 1/3", ""),
        "CTX": (
            "C998 M [9999 M AN 1/35, 9998 O AN 1/35] | 721 X ID 2/3 | 719 O N0 1/10 | 447 O AN 1/4 "
            "| C030 O [722 M N0 1/2, 1528 O N0 1/2, 1686 O N0 1/4] | C999 O [1672 M AN 1/35]",
            "P0203",
        ),
        "IK4": (
            "C030 M [722 M N0 1/2, 1528 O N0 1/2, 1686 O N0 1/4] | 725 O N0 1/4 | 621 M ID 1/3 "
            "| 724 O AN 1/99",
            "",
        ),
        "IK5": ("717 M ID 1/1" + " | 618 O ID 1/3" * 5, ""),
    }
)
