"""Building blocks shared by the EDIFACT map tests: the supplier profile, fixtures read through the
real reader, and messages assembled segment by segment for the error cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from partners.profile import CodeMaps, PartnerProfile
from translators.edifact.maps import map_message
from translators.edifact.maps.result import MapResult
from translators.edifact.model import Interchange, Message, Segment, Separators
from translators.edifact.reader import read_interchange
from translators.errors import EdiError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"


def supplier_one(units: dict[str, str]) -> PartnerProfile:
    return PartnerProfile(
        id="supplier-one",
        name="Supplier One",
        role="supplier",
        codes=CodeMaps(
            units=units,
            parties={"4012345500004": "SUPP-2001", "4000001000005": "SELF", "4000001000029": "WH-01"},
            items={"4012345000016": "SKU-BOLT-M8", "SO-200": "SKU-WASHER-M8"},
        ),
    )


def read_fixture(name: str, profile: PartnerProfile) -> MapResult[Any]:
    interchange = read_interchange((FIXTURES / name).read_bytes())
    assert interchange.all_errors == []
    (message,) = interchange.messages
    return map_message(message, interchange, profile)


def seg(tag: str, *elements: str | list[str]) -> Segment:
    return Segment(tag=tag, elements=[[e] if isinstance(e, str) else list(e) for e in elements])


def run_message(
    message_map: Callable[[Message, Interchange, PartnerProfile], MapResult[Any]],
    identifier: tuple[str, str, str],  # type, release, association: ("INVOIC", "96A", "EAN008")
    body: Iterable[Segment],
    profile: PartnerProfile,
) -> MapResult[Any]:
    kind, release, association = identifier
    segments = [seg("UNH", "1", [kind, "D", release, "UN", association]), *body, seg("UNT", "0", "1")]
    for index, segment in enumerate(segments, start=2):
        segment.index = index
    message = Message("1", kind, "D", release, "UN", association, segments)
    interchange = Interchange(
        "UNOC", 3, "4012345500004", "14", "4000001000005", "14", None, "1", "", "", "", Separators(),
        seg("UNB"), seg("UNZ"), [message],
    )  # fmt: skip
    return message_map(message, interchange, profile)


def only_error(errors: list[EdiError]) -> EdiError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]
