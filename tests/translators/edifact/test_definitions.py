"""edigate's EDIFACT message definitions: every promised message loads, the right variant is chosen,
the schema quirks are resolved, and the shipped data is what the generator makes of the schemas.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from translators.edifact.definitions import (
    CompositeElement,
    GroupUse,
    MessageDefinition,
    SegmentUse,
    SimpleElement,
    available,
    load_definition,
)

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "translators" / "edifact" / "definitions" / "data"
STANDARDS = REPO.parent / "shared" / "standards" / "edifact"
MESSAGES = ("ORDERS", "ORDRSP", "DESADV", "INVOIC", "APERAK")


def promised() -> list[tuple[str, str, str, str, str]]:
    """(type, version, release, association, expected variant) for every definition edigate ships."""
    cases = []
    for message in MESSAGES:
        cases += [
            (message, "D", "96A", "", "D96A"),
            (message, "D", "01B", "", "D01B"),
            (message, "D", "96A", "EAN008", "EANCOM97"),
            (message, "D", "01B", "EAN010", "EANCOM2002"),
        ]
    cases += [("ORDERS", "D", "93A", "", "D93A"), ("INVOIC", "D", "93A", "", "D93A")]
    cases += [("CONTRL", "D", "3", "", "SERVICE"), ("CONTRL", "4", "1", "", "SERVICE")]
    return cases


def loaded(message: str, version: str, release: str, association: str = "") -> MessageDefinition:
    definition = load_definition(message, version, release, association)
    assert definition is not None
    return definition


def walk(nodes: tuple[SegmentUse | GroupUse, ...]) -> list[SegmentUse | GroupUse]:
    out: list[SegmentUse | GroupUse] = []
    for node in nodes:
        out.append(node)
        if isinstance(node, GroupUse):
            out.extend(walk(node.children))
    return out


@pytest.mark.parametrize(("message", "version", "release", "association", "variant"), promised())
def test_every_promised_definition_loads_with_unh_first_and_unt_last(
    message: str, version: str, release: str, association: str, variant: str
) -> None:
    definition = loaded(message, version, release, association)
    assert (definition.message_type, definition.variant) == (message, variant)
    first, last = definition.structure[0], definition.structure[-1]
    assert isinstance(first, SegmentUse) and isinstance(last, SegmentUse)
    assert (first.tag, first.min_occurs, last.tag, last.min_occurs) == ("UNH", 1, "UNT", 1)
    for node in walk(definition.structure):
        if isinstance(node, GroupUse):
            assert node.name.startswith("SG") and isinstance(node.children[0], SegmentUse)
        else:
            positions = [e.position for e in node.segment.elements]
            assert positions == list(range(1, len(positions) + 1)), node.segment.key


def test_definitions_are_cached_singletons() -> None:
    assert loaded("ORDERS", "D", "96A", "EAN008") is loaded("ORDERS", "D", "96A", "EAN007")


def test_unknown_messages_and_directories_have_no_definition() -> None:
    assert load_definition("ORDERS", "D", "97A") is None
    assert load_definition("PAORES", "93", "1") is None
    assert load_definition("DESADV", "0", "96A") is None
    assert load_definition("ORDCHG", "D", "96A") is None


def test_ean_association_picks_the_eancom_edition_and_falls_back_to_the_un_directory() -> None:
    assert loaded("ORDERS", "D", "96A", "EAN008").variant == "EANCOM97"
    assert loaded("ORDERS", "D", "01B", "EAN010").variant == "EANCOM2002"
    assert loaded("ORDERS", "D", "93A", "EAN007").variant == "D93A"
    assert loaded("orders", "d", "96a").variant == "D96A"


def test_suffixed_segment_names_keep_their_own_layout_under_the_plain_tag() -> None:
    definition = loaded("ORDERS", "D", "96A", "EAN008")
    assert definition.segments["DTM_2"].tag == "DTM"
    assert definition.segments["QTY_2"].tag == "QTY"
    pia = definition.segments["PIA"]
    assert [e.id for e in pia.elements] == ["4347", "C212", "C212", "C212", "C212", "C212"]


def test_groups_carry_the_un_numbers_even_in_the_eancom_subset() -> None:
    # EANCOM leaves groups out but keeps the UN numbers: the order line is SG25 in both
    for association in ("", "EAN008"):
        groups = {
            n.tag: n.name
            for n in walk(loaded("ORDERS", "D", "96A", association).structure)
            if isinstance(n, GroupUse) and n.tag in ("LIN", "PRI")
        }
        assert groups == {"LIN": "SG25", "PRI": "SG28"}


def test_segment_layout_has_positions_ids_requirements_types_lengths_and_code_lists() -> None:
    qty = loaded("ORDERS", "D", "96A").segments["QTY"]
    [c186] = qty.elements
    assert isinstance(c186, CompositeElement)
    assert (c186.position, c186.id, c186.required) == (1, "C186", True)
    assert c186.components == (
        SimpleElement(1, "6063", "Quantity qualifier", True, "an", None, None, "6063"),
        SimpleElement(2, "6060", "Quantity", True, "n", 1, 15),
        SimpleElement(3, "6411", "Measure unit qualifier", False, "an", 1, 3),
    )


def test_un_code_lists_are_the_directorys_and_eancom_lists_are_the_editions() -> None:
    un = loaded("ORDERS", "D", "96A")
    eancom = loaded("ORDERS", "D", "96A", "EAN008")
    assert un.un_codes is eancom.un_codes  # one list per directory, shared
    assert {"1", "12", "21"} <= un.un_codes["6063"] and "37E" not in un.un_codes["6063"]
    assert eancom.ean_codes["6063"] == {"1", "11", "192", "21", "37E", "59"}
    assert un.ean_codes == {}
    # D01B leaves 6411 uncoded; EANCOM 2002 codes it, with PCE among its despatch advice lists
    despatch = loaded("DESADV", "D", "01B", "EAN007")
    assert "6411" not in despatch.un_codes and "PCE" in despatch.ean_codes["6411"]


def test_contrl_definition_names_the_iso_9735_elements() -> None:
    contrl = loaded("CONTRL", "D", "3")
    uci = contrl.segments["UCI"]
    assert [e.id for e in uci.elements[:7]] == ["0020", "S002", "S003", "0083", "0085", "0013", "S011"]
    assert [n.tag for n in contrl.structure] == ["UNH", "UCI", "UCM", "UCF", "UNT"]


def test_shipped_data_stays_small() -> None:
    total = sum(p.stat().st_size for p in DATA.iterdir())
    assert total < 1_000_000
    assert len(available()) == 23


@pytest.mark.skipif(not STANDARDS.is_dir(), reason="../shared/standards/edifact is not present")
def test_shipped_data_is_exactly_what_the_generator_makes_of_the_schemas(tmp_path: Path) -> None:
    script = REPO / "scripts" / "generate_edifact_definitions.py"
    subprocess.run(
        [sys.executable, str(script), str(STANDARDS), "--out", str(tmp_path)], check=True, capture_output=True
    )
    generated = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    shipped = {p.name: p.read_bytes() for p in DATA.iterdir()}
    assert sorted(generated) == sorted(shipped)
    assert [n for n in generated if generated[n] != shipped[n]] == []
