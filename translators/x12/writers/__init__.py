"""X12 writers: canonical documents → 850 / 855 / 856 / 810 transaction sets, and the envelope.

Each ``render_*`` returns one set (ST … SE) that the matching map in :mod:`translators.x12.maps`
reads back to the same document and that validates against edigate's 004010/005010 definitions;
:func:`envelope_x12` wraps sets in GS … GE and ISA … IEA.
"""

from translators.x12.writers.delivery_note import render_856
from translators.x12.writers.envelope import FUNCTIONAL_IDS, envelope_x12
from translators.x12.writers.invoice import render_810
from translators.x12.writers.order_response import render_855
from translators.x12.writers.purchase_order import render_850
from translators.x12.writers.segments import RELEASES, X12Release

__all__ = [
    "FUNCTIONAL_IDS",
    "RELEASES",
    "X12Release",
    "envelope_x12",
    "render_810",
    "render_850",
    "render_855",
    "render_856",
]
