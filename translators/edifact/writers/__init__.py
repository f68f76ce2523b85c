"""EDIFACT writers: canonical documents → ORDERS / ORDRSP / DESADV / INVOIC messages, and the envelope.

Each ``render_*`` returns the segments of one message (UNH … UNT) that the matching inbound map in
:mod:`translators.edifact.maps` reads back to the same document, valid against edigate's message
definitions for the directory (D96A, D01B) and, with an ``EAN…`` association code, the EANCOM
edition built on it. :func:`envelope_edifact` puts messages into an interchange (UNA, UNB … UNZ).
"""

from translators.edifact.writers.desadv import render_desadv
from translators.edifact.writers.envelope import envelope_edifact
from translators.edifact.writers.invoic import render_invoic
from translators.edifact.writers.orders import render_orders
from translators.edifact.writers.ordrsp import render_ordrsp
from translators.edifact.writers.segments import EANCOM_ASSOCIATIONS, VERSIONS, EdifactVersion

__all__ = [
    "EANCOM_ASSOCIATIONS",
    "VERSIONS",
    "EdifactVersion",
    "envelope_edifact",
    "render_desadv",
    "render_invoic",
    "render_orders",
    "render_ordrsp",
]
