"""Code lists for ID elements, by data element number.

``CLOSED`` lists are complete for the versions edigate reads: a value outside them is an invalid
code value (AK4 7). ``KNOWN`` lists are the codes edigate's maps give a meaning to; the standard
lists are far longer (REF01 alone has well over a thousand codes), so a value outside them is not an
error - the validator never rejects what the standard allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

CLOSED: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "248": frozenset({"A", "C", "N"}),  # SAC01 allowance or charge indicator
        "587": frozenset(
            {"AC", "AD", "AE", "AH", "AK", "AP", "AT", "NA", "RD", "RF", "RJ", "RN", "RO", "RV", "ZZ"}
        ),  # BAK02 acknowledgment type
        "736": frozenset({"0", "1"}),  # HL04 hierarchical child code
        "349": frozenset({"F", "S", "X"}),  # PID01 item description type
        "717": frozenset({"A", "E", "M", "R", "W", "X"}),  # AK501/IK501
        "715": frozenset({"A", "E", "M", "P", "R", "W", "X"}),  # AK901
        "716": frozenset(
            {
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "10",
                "11",
                "12",
                "13",
                "14",
                "15",
                "16",
                "17",
                "18",
                "19",
                "23",
                "24",
                "25",
                "26",
            }
        ),  # AK905-909
        "718": frozenset(
            {
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10",
                "11",
                "12",
                "13",
                "14",
                "15",
                "16",
                "17",
                "18",
                "19",
                "23",
                "24",
                "25",
                "26",
                "27",
                "I5",
                "I6",
            }
        ),
        "720": frozenset({"1", "2", "3", "4", "5", "6", "7", "8"}),  # AK304
        "620": frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"}),  # IK304
        "723": frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13"}),  # AK403
        "621": frozenset(
            {
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10",
                "12",
                "13",
                "I6",
                "I9",
                "I10",
                "I11",
                "I12",
                "I13",
            }
        ),  # IK403
        "618": frozenset(
            {
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10",
                "11",
                "12",
                "13",
                "14",
                "15",
                "16",
                "17",
                "18",
                "19",
                "23",
                "24",
                "25",
                "26",
                "27",
                "I5",
                "I6",
            }
        ),
        "I17": frozenset({"A", "E", "R"}),  # TA104
    }
)

KNOWN: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "353": MappingProxyType(
            {
                "00": "original",
                "01": "cancellation",
                "04": "change",
                "05": "replace",
                "06": "confirmation",
                "07": "duplicate",
                "14": "advance_notification",
                "18": "reissue",
                "19": "seller_initiated_change",
                "54": "rejected",
            }
        ),
        "92": MappingProxyType(
            {
                "SA": "stand_alone",
                "NE": "new_order",
                "BK": "blanket",
                "RL": "release",
                "DS": "dropship",
                "KN": "purchase_order",
                "RE": "reorder",
            }
        ),
        "668": MappingProxyType(
            {
                "IA": "accepted",
                "IB": "backordered",
                "IC": "changed",
                "ID": "deleted",
                "IE": "accepted_price_pending",
                "IF": "on_hold",
                "IH": "on_hold",
                "IP": "changed",
                "IQ": "changed",
                "IR": "rejected",
                "IS": "changed",
                "IW": "on_hold",
                "AC": "accepted",
                "AR": "accepted",
                "DR": "changed",
                "R1": "rejected",
                "R2": "rejected",
                "R3": "rejected",
                "R4": "rejected",
                "R5": "rejected",
                "SP": "on_hold",
            }
        ),
        "735": MappingProxyType(
            {
                "S": "shipment",
                "O": "order",
                "T": "tare",
                "P": "pack",
                "I": "item",
                "Q": "subpack",
                "F": "component",
            }
        ),
        "640": MappingProxyType(
            {
                "DI": "debit_invoice",
                "CR": "credit_memo",
                "DR": "debit_memo",
                "PR": "product_return",
                "00": "preliminary",
            }
        ),
        "336": MappingProxyType(
            {
                "01": "basic",
                "02": "end_of_month",
                "03": "fixed_date",
                "05": "discount_not_applicable",
                "08": "basic_discount_offered",
                "09": "proximo",
                "12": "10_days_after_eom",
                "14": "previously_agreed",
            }
        ),
        "98": MappingProxyType(
            {
                "BY": "buyer",
                "SE": "seller",
                "SU": "supplier",
                "VN": "vendor",
                "ST": "ship_to",
                "SF": "ship_from",
                "BT": "bill_to",
                "RE": "remit_to",
                "SH": "shipper",
                "II": "issuer_of_invoice",
                "BS": "bill_and_ship_to",
            }
        ),
        "128": MappingProxyType(
            {
                "CT": "contract",
                "PO": "buyer_order",
                "VN": "seller_order",
                "IV": "invoice",
                "BM": "bill_of_lading",
                "CN": "carrier_reference",
                "DP": "department",
                "IA": "vendor_id",
                "PK": "packing_list",
                "PD": "promotion_deal",
                "AH": "agreement",
                "BL": "bill_of_lading",
            }
        ),
        "374": MappingProxyType(
            {
                "002": "delivery_requested",
                "010": "ship_requested",
                "011": "shipped",
                "017": "estimated_delivery",
                "037": "ship_not_before",
                "038": "ship_no_later",
                "067": "current_schedule_delivery",
                "068": "current_schedule_ship",
                "003": "invoice",
                "004": "purchase_order",
                "106": "required_by",
            }
        ),
        "355": MappingProxyType(
            {
                "EA": "each",
                "CA": "case",
                "PC": "piece",
                "PK": "package",
                "BX": "box",
                "DZ": "dozen",
                "LB": "pound",
                "KG": "kilogram",
                "UN": "unit",
                "CT": "carton",
                "PL": "pallet",
                "FT": "foot",
                "GA": "gallon",
                "LT": "liter",
            }
        ),
    }
)
