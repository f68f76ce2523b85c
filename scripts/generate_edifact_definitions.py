"""Generate edigate's compact EDIFACT message definitions from the reference XML Schemas.

Why: validating a message needs its structure (segment order, groups, repeats), each segment's
element layout (position, data element id, requirement, type, length) and the code lists. The
reference schemas (BizTalk EDIFACT XSDs, 1 MB per message) hold those facts but are not part of the
product and are never committed; this script extracts the facts into small JSON files that edigate
owns and ships (``translators/edifact/definitions/data/``).

Run from the repository root (needs only the standard library)::

    python scripts/generate_edifact_definitions.py                # reads ../shared/standards/edifact
    python scripts/generate_edifact_definitions.py /path/to/standards/edifact [--out DIR]

The output is deterministic (sorted keys, sorted code lists, fixed gzip header) so re-running it on
the same schemas yields byte-identical files and a clean diff.

What is written (all gzip-compressed JSON, see ``translators/edifact/definitions/__init__.py``):

- ``codes-<DIR>.json.gz`` per UN directory (D93A, D96A, D01B): the UN code list of every coded data
  element a generated definition uses. The UN schemas agree on these lists across all messages of a
  directory, so each list is stored once per directory.
- ``<VARIANT>-<MESSAGE>.json.gz``: one message definition. VARIANT is the UN directory (D93A, D96A,
  D01B), EANCOM97 (subset of D96A) or EANCOM2002 (subset of D01B); CONTRL is ``SERVICE-CONTRL``.
  EANCOM definitions also carry their own code lists (``ean_codes``).

Quirks of the schemas handled here:

- Segments and composites used at several positions carry suffixes (``DTM_2``, ``C212_2``): the tag
  is the part before the underscore. Every suffixed segment is kept as its own layout, since EANCOM
  restricts the same tag differently per position.
- Groups are ``<TAG>Loop<n>`` (CONTRL: ``SG<n>Loop``) elements, mostly declared globally and used by
  ``ref``. Groups are renumbered SG1, SG2 … in depth-first order of appearance, which is how the UN
  message directories number them.
- Coded elements are typed by a named enumeration (``EDIFACT_ID_6063``) that carries no length. The
  format (a/n/an, length) of such an element is taken from an uncoded use of the same data element
  in the same directory when one exists; otherwise it is left unknown (the code list decides).
- EANCOM schemas declare position-specific lists (``ID6063_2`` …) but most composites reference only
  the first one (``EDIFACT_ID_6063``, which for EANCOM97 ORDERS holds just ``1``; EANCOM97 7143 is
  even declared empty). The position binding is therefore unreliable, and the EANCOM list of a data
  element is the union of every list the message's schema declares for it. The validator accepts a
  code that is in the UN directory list or in that EANCOM list (see validator.py).
- UNH/UNT are declared optional in the schemas; they are mandatory in every message. The CONTRL
  schema imports UNH/UNT from a service schema that is not in the reference set, so they are taken
  from the D96A ORDERS schema (the syntax-4 UNH, a superset of the syntax-3 one). The CONTRL schema
  names no data element ids; the ids of its elements are the ISO 9735 ones, listed below.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

XS = "{http://www.w3.org/2001/XMLSchema}"
BIZTALK = "{http://schemas.microsoft.com/BizTalk/2003}"
FORMAT_VERSION = 1

MESSAGES = ("ORDERS", "ORDRSP", "DESADV", "INVOIC", "APERAK")

# (variant, UN directory the variant is built on, schema folder, messages)
VARIANTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("D93A", "D93A", "D93A", ("ORDERS", "INVOIC")),
    ("D96A", "D96A", "D96A", MESSAGES),
    ("D01B", "D01B", "D01B", MESSAGES),
    ("EANCOM97", "D96A", "EANCOM97", MESSAGES),
    ("EANCOM2002", "D01B", "EANCOM2002", MESSAGES),
)

CONTRL_SCHEMA = "Edifact_ContrlSchema.xsd"
SERVICE_SEGMENT_SOURCE = "D96A/EFACT_D96A_ORDERS.xsd"  # UNH/UNT for the CONTRL schema

# Composite ids of service segments, whose composites the schemas declare inline and unnamed.
SERVICE_COMPOSITES = {
    ("UNH", 2): "S009",
    ("UNH", 4): "S010",
    ("UNH", 5): "S016",
    ("UNH", 6): "S017",
    ("UNH", 7): "S018",
    ("UCI", 2): "S002",
    ("UCI", 3): "S003",
    ("UCI", 7): "S011",
    ("UCM", 2): "S009",
    ("UCM", 6): "S011",
    ("UCF", 2): "S006",
    ("UCF", 3): "S007",
    ("UCF", 7): "S011",
    ("UCD", 2): "S011",
}

# ISO 9735 data element ids of the CONTRL segments (the CONTRL schema has no annotations).
# Positions beyond these (security references of syntax 4) keep no id.
_CONTRL_SIMPLE_IDS: dict[tuple[str, int, int | None], tuple[str, str]] = {
    ("UCI", 1, None): ("0020", "Interchange control reference"),
    ("UCI", 2, 1): ("0004", "Interchange sender identification"),
    ("UCI", 2, 2): ("0007", "Identification code qualifier"),
    ("UCI", 2, 3): ("0008", "Interchange sender internal identification"),
    ("UCI", 2, 4): ("0042", "Interchange sender internal sub-identification"),
    ("UCI", 3, 1): ("0010", "Interchange recipient identification"),
    ("UCI", 3, 2): ("0007", "Identification code qualifier"),
    ("UCI", 3, 3): ("0014", "Interchange recipient internal identification"),
    ("UCI", 3, 4): ("0046", "Interchange recipient internal sub-identification"),
    ("UCI", 4, None): ("0083", "Action, coded"),
    ("UCI", 5, None): ("0085", "Syntax error, coded"),
    ("UCI", 6, None): ("0013", "Service segment tag, coded"),
    ("UCF", 1, None): ("0048", "Group reference number"),
    ("UCF", 2, 1): ("0040", "Application sender identification"),
    ("UCF", 2, 2): ("0007", "Identification code qualifier"),
    ("UCF", 3, 1): ("0044", "Application recipient identification"),
    ("UCF", 3, 2): ("0007", "Identification code qualifier"),
    ("UCF", 4, None): ("0083", "Action, coded"),
    ("UCF", 5, None): ("0085", "Syntax error, coded"),
    ("UCF", 6, None): ("0013", "Service segment tag, coded"),
    ("UCM", 1, None): ("0062", "Message reference number"),
    ("UCM", 2, 1): ("0065", "Message type"),
    ("UCM", 2, 2): ("0052", "Message version number"),
    ("UCM", 2, 3): ("0054", "Message release number"),
    ("UCM", 2, 4): ("0051", "Controlling agency, coded"),
    ("UCM", 2, 5): ("0057", "Association assigned code"),
    ("UCM", 2, 6): ("0110", "Code list directory version number"),
    ("UCM", 2, 7): ("0113", "Message type sub-function identification"),
    ("UCM", 3, None): ("0083", "Action, coded"),
    ("UCM", 4, None): ("0085", "Syntax error, coded"),
    ("UCM", 5, None): ("0013", "Service segment tag, coded"),
    ("UCS", 1, None): ("0096", "Segment position in message body"),
    ("UCS", 2, None): ("0085", "Syntax error, coded"),
    ("UCD", 1, None): ("0085", "Syntax error, coded"),
}


def _contrl_element_ids() -> dict[tuple[str, int, int | None], tuple[str, str]]:
    """The simple ids plus S011 (erroneous data element position), which four segments share."""
    ids = dict(_CONTRL_SIMPLE_IDS)
    for segment, position in (("UCI", 7), ("UCF", 7), ("UCM", 6), ("UCD", 2)):
        ids[(segment, position, 1)] = ("0098", "Erroneous data element position in segment")
        ids[(segment, position, 2)] = ("0104", "Erroneous component data element position")
        ids[(segment, position, 3)] = ("0136", "Erroneous data element occurrence")
    return ids


CONTRL_ELEMENT_IDS = _contrl_element_ids()

# The CONTRL schema names none of its segments.
CONTRL_SEGMENT_NAMES = {
    "UCI": "Interchange response",
    "UCF": "Group response",
    "UCM": "Message/package response",
    "UCS": "Segment error indication",
    "UCD": "Data element error indication",
}

BASE_TYPES = {"EDIFACT_AN": "an", "EDIFACT_A": "a", "EDIFACT_N": "n", "xs:string": "an"}
CODED_TYPE = re.compile(r"(?:EDIFACT_ID_|ID)(\d{4})(?:_\d+|_Imported)?")
GROUP_NAME = re.compile(r"[A-Z][A-Z0-9]{2}Loop\d+|SG\d+Loop")
NOTES_ID = re.compile(r"^(.*?)[ ,]*_([0-9]{4})$")


def local(name: str) -> str:
    """``ns0:UNH`` → ``UNH``: refs into the imported service schema carry a prefix."""
    return name.rsplit(":", 1)[-1]


def annotation(node: ET.Element, attribute: str) -> str:
    """An attribute of the BizTalk recordInfo/fieldInfo annotation directly on ``node``."""
    appinfo = node.find(f"{XS}annotation/{XS}appinfo")
    if appinfo is None:
        return ""
    for info in appinfo:
        if info.tag in (f"{BIZTALK}recordInfo", f"{BIZTALK}fieldInfo") and attribute in info.attrib:
            return info.attrib[attribute]
    return ""


def occurs(node: ET.Element) -> tuple[int, int | None]:
    """(min, max) occurrence; ``None`` max = unbounded."""
    low = int(node.get("minOccurs", "1"))
    high_text = node.get("maxOccurs", "1")
    return low, (None if high_text == "unbounded" else int(high_text))


def trailing_number(name: str) -> int | None:
    """Position written in a schema name: ``BGM02`` → 2, ``UNH2.1`` → 1, ``C18603`` → 3."""
    match = re.search(r"(\d+)$", name)
    if "." in name:
        return int(name.rsplit(".", 1)[1])
    return int(match.group(1)[-2:]) if match else None


@dataclass
class Schema:
    """One XSD file: its global elements and simple types by name."""

    path: Path
    elements: dict[str, ET.Element] = field(default_factory=dict)
    simple_types: dict[str, ET.Element] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Schema:
        root = ET.parse(path).getroot()
        schema = cls(path)
        for child in root:
            name = child.get("name")
            if name is None:
                continue
            if child.tag == f"{XS}element":
                schema.elements[name] = child
            elif child.tag == f"{XS}simpleType":
                schema.simple_types[name] = child
        return schema

    def enumeration(self, type_name: str) -> list[str]:
        node = self.simple_types.get(type_name)
        if node is None:
            return []
        return [e.get("value", "") for e in node.iter(f"{XS}enumeration")]

    def inline_segment(self, name: str) -> ET.Element | None:
        """A segment declared inside the message root (UNH, UNT), not globally."""
        for root in self.elements.values():
            for child in root.findall(f"{XS}complexType/{XS}sequence/{XS}element"):
                if child.get("name") == name:
                    return child
        return None

    def leaf_nodes(self) -> list[ET.Element]:
        """Every element declaration in the file, global or nested."""
        return [node for root in self.elements.values() for node in root.iter(f"{XS}element")]

    def coded_lists(self) -> dict[str, set[str]]:
        """Data element id → union of every enumeration this schema declares for it."""
        lists: dict[str, set[str]] = {}
        for name in self.simple_types:
            match = CODED_TYPE.fullmatch(name)
            if match:
                lists.setdefault(match.group(1), set()).update(self.enumeration(name))
        return lists


Format = tuple[str, int | None, int | None]  # (type, min length, max length)


class MessageBuilder:
    """Turns one message schema into the compact definition dictionary."""

    def __init__(self, schema: Schema, service: Schema | None, formats: dict[str, Format]) -> None:
        self.schema = schema
        self.service = service
        self.formats = formats
        self.segments: dict[str, dict[str, Any]] = {}
        self.coded_ids: set[str] = set()
        self.group_number = 0

    def resolve(self, node: ET.Element) -> tuple[str, ET.Element]:
        ref = node.get("ref")
        if ref is None:
            return node.get("name", ""), node
        name = local(ref)
        target = self.schema.elements.get(name)
        if target is None and self.service is not None:
            target = self.service.elements.get(name) or self.service.inline_segment(name)
        if target is None:
            raise ValueError(f"{self.schema.path.name}: unresolved ref {ref}")
        return name, target

    def structure(self, sequence: ET.Element) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        for child in sequence.findall(f"{XS}element"):
            name, target = self.resolve(child)
            low, high = occurs(child)
            inner = target.find(f"{XS}complexType/{XS}sequence")
            if inner is None:
                raise ValueError(f"{self.schema.path.name}: {name} has no sequence")
            if GROUP_NAME.fullmatch(name):
                self.group_number += 1
                node: dict[str, Any] = {"group": f"SG{self.group_number}", "name": name}
                node.update({"min": low, "max": high})
                node["children"] = self.structure(inner)
                nodes.append(node)
                continue
            tag = annotation(child, "tag_name") or annotation(target, "tag_name") or name.split("_")[0]
            if tag in ("UNH", "UNT"):
                low, high = 1, 1
            if name not in self.segments:
                self.segments[name] = self.segment(tag, target, inner)
            nodes.append({"segment": name, "min": low, "max": high})
        return nodes

    def segment(self, tag: str, target: ET.Element, sequence: ET.Element) -> dict[str, Any]:
        title = annotation(target, "notes") or CONTRL_SEGMENT_NAMES.get(tag, "")
        elements: list[dict[str, Any]] = []
        for index, child in enumerate(sequence.findall(f"{XS}element"), start=1):
            name, node = self.resolve(child)
            low, _ = occurs(child)
            position = self.position(child, name, index)
            inner = node.find(f"{XS}complexType/{XS}sequence")
            if inner is None:
                element = self.leaf(tag, child, position, None)
            else:
                composite_id = SERVICE_COMPOSITES.get((tag, position))
                if child.get("ref") is not None:
                    composite_id = name.split("_")[0]
                components = [
                    self.leaf(tag, part, self.position(part, part.get("name", ""), number), position)
                    for number, part in enumerate(inner.findall(f"{XS}element"), start=1)
                ]
                element = {
                    "pos": position,
                    "id": composite_id,
                    "name": title_case(annotation(child, "notes") or annotation(node, "notes")),
                    "components": components,
                }
            element["required"] = low > 0
            elements.append(element)
        return {"tag": tag, "name": title_case(title), "elements": elements}

    @staticmethod
    def position(node: ET.Element, name: str, index: int) -> int:
        explicit = annotation(node, "sequence_number")
        if explicit:
            return int(explicit)
        written = trailing_number(name) if node.get("ref") is None else None
        return written if written is not None else index

    def leaf(self, tag: str, node: ET.Element, position: int, parent: int | None) -> dict[str, Any]:
        """One simple data element (standalone or a component)."""
        low, _ = occurs(node)
        notes = annotation(node, "notes")
        match = NOTES_ID.match(notes)
        element_id, title = (match.group(2), match.group(1)) if match else (None, notes)
        if (tag, parent, position) == ("UNH", 2, 7) and element_id is None:
            element_id, title = "0113", "Message type sub-function identification"
        if tag in ("UCI", "UCF", "UCM", "UCS", "UCD"):
            known = CONTRL_ELEMENT_IDS.get((tag, parent, position) if parent else (tag, position, None))
            element_id, title = known if known else (None, "")
        result: dict[str, Any] = {"pos": position, "id": element_id, "name": title_case(title)}
        type_name = node.get("type")
        coded = CODED_TYPE.fullmatch(type_name) if type_name else None
        if coded:
            element_id = coded.group(1)
            result["id"] = element_id
            result["codes"] = element_id
            self.coded_ids.add(element_id)
            kind, minimum, maximum = self.formats.get(element_id, ("an", None, None))
        else:
            restriction = node.find(f"{XS}simpleType/{XS}restriction")
            if restriction is None:
                raise ValueError(f"{self.schema.path.name}: {tag} element {position} has no type")
            kind = BASE_TYPES[restriction.get("base", "xs:string")]
            minimum, maximum = facets(restriction)
        result.update({"type": kind, "min": minimum, "max": maximum})
        if parent is not None:
            result["required"] = low > 0
        return result


def facets(restriction: ET.Element) -> tuple[int | None, int | None]:
    length = restriction.find(f"{XS}length")
    if length is not None:
        value = int(length.get("value", "0"))
        return value, value
    low = restriction.find(f"{XS}minLength")
    high = restriction.find(f"{XS}maxLength")
    return (
        int(low.get("value", "0")) if low is not None else None,
        int(high.get("value", "0")) if high is not None else None,
    )


def title_case(text: str) -> str:
    """Schema notes are upper case in some files and sentence case in others: store one style."""
    text = text.strip()
    return text[:1].upper() + text[1:].lower() if text.isupper() else text


def uncoded_formats(schemas: list[Schema]) -> dict[str, Format]:
    """Data element id → (type, min, max) from its uncoded uses, for coded elements' formats.

    When uses disagree (an EANCOM subset narrowing a length), the widest one wins: it is the
    directory's format.
    """
    found: dict[str, Format] = {}
    for schema in schemas:
        for node in schema.leaf_nodes():
            notes = annotation(node, "notes")
            match = NOTES_ID.match(notes)
            restriction = node.find(f"{XS}simpleType/{XS}restriction")
            if not match or restriction is None or node.get("type"):
                continue
            kind = BASE_TYPES[restriction.get("base", "xs:string")]
            minimum, maximum = facets(restriction)
            previous = found.get(match.group(2))
            if previous is not None:
                minimum = _widest(min, minimum, previous[1])
                maximum = _widest(max, maximum, previous[2])
                kind = previous[0] if previous[0] == kind else "an"
            found[match.group(2)] = (kind, minimum, maximum)
    return found


def _widest(pick: Any, a: int | None, b: int | None) -> int | None:
    """min/max of two optional bounds; an unknown bound stays unknown (no limit)."""
    return None if a is None or b is None else pick(a, b)


def build_message(
    schema: Schema,
    service: Schema | None,
    formats: dict[str, Format],
    variant: str,
    message: str,
    directory: str,
    source: str,
) -> tuple[dict[str, Any], set[str]]:
    roots = [e for n, e in schema.elements.items() if n.upper().startswith(("EFACT_D", "EFACT_CONTRL"))]
    if len(roots) != 1:
        raise ValueError(f"{schema.path.name}: expected one root element, found {len(roots)}")
    builder = MessageBuilder(schema, service, formats)
    sequence = roots[0].find(f"{XS}complexType/{XS}sequence")
    if sequence is None:
        raise ValueError(f"{schema.path.name}: root has no sequence")
    structure = builder.structure(sequence)
    definition: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "message": message,
        "variant": variant,
        "directory": directory,
        "source": source,
        "segments": builder.segments,
        "structure": structure,
    }
    if variant.startswith("EANCOM"):
        lists = schema.coded_lists()
        # an empty declared list (EANCOM97 7143) restricts nothing: leave it out
        definition["ean_codes"] = {k: sorted(lists[k]) for k in sorted(builder.coded_ids) if lists.get(k)}
    return definition, builder.coded_ids


def trigger(group: dict[str, Any], segments: dict[str, Any]) -> str:
    first = group["children"][0]
    return segments[first["segment"]]["tag"] if "segment" in first else trigger(first, segments)


def align_groups(
    subset: list[dict[str, Any]],
    subset_segments: dict[str, Any],
    full: list[dict[str, Any]],
    full_segments: dict[str, Any],
) -> None:
    """Give the groups of an EANCOM subset the numbers of the UN message they are taken from.

    EANCOM keeps the UN group numbers (LIN is SG25 of ORDERS in both) although it leaves groups
    out, so counting the subset's own groups would name them wrongly in every error text.
    """
    full_groups = [n for n in full if "group" in n]
    cursor = 0
    for node in subset:
        if "group" not in node:
            continue
        tag = trigger(node, subset_segments)
        while cursor < len(full_groups) and trigger(full_groups[cursor], full_segments) != tag:
            cursor += 1
        if cursor == len(full_groups):
            raise ValueError(f"group {node['name']} ({tag}) not found in the UN message")
        match = full_groups[cursor]
        node["group"] = match["group"]
        align_groups(node["children"], subset_segments, match["children"], full_segments)
        cursor += 1


def write_json(path: Path, data: dict[str, Any]) -> int:
    """Compact, sorted, gzip with a fixed header (mtime 0, no name) so output is reproducible."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as stream:
        stream.write(text.encode("ascii"))
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def generate(standards: Path, out: Path) -> dict[str, int]:
    """Write every definition and code list; returns file name → size in bytes."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json.gz"):
        stale.unlink()
    sizes: dict[str, int] = {}
    schemas: dict[str, list[Schema]] = {}
    for folder in ("D93A", "D96A", "D01B", "EANCOM97", "EANCOM2002"):
        schemas[folder] = [Schema.load(p) for p in sorted((standards / folder).glob("*.xsd"))]
    directory_of = {"EANCOM97": "D96A", "EANCOM2002": "D01B"}
    formats: dict[str, dict[str, Format]] = {}
    for directory in ("D93A", "D96A", "D01B"):
        related = [f for f, d in directory_of.items() if d == directory]
        formats[directory] = uncoded_formats(schemas[directory] + [s for f in related for s in schemas[f]])
    used_codes: dict[str, set[str]] = {"D93A": set(), "D96A": set(), "D01B": set()}
    built: dict[tuple[str, str], dict[str, Any]] = {}

    for variant, directory, folder, messages in VARIANTS:
        for message in messages:
            path = standards / folder / f"EFACT_{directory}_{message}.xsd"
            if not path.exists():
                print(f"skip {variant} {message}: {path} not found", file=sys.stderr)
                continue
            schema = next(s for s in schemas[folder] if s.path == path)
            definition, coded = build_message(
                schema, None, formats[directory], variant, message, directory, f"{folder}/{path.name}"
            )
            used_codes[directory] |= coded
            if variant != directory:
                un = built[(directory, message)]
                align_groups(definition["structure"], definition["segments"], un["structure"], un["segments"])
            built[(variant, message)] = definition
            name = f"{variant}-{message}.json.gz"
            sizes[name] = write_json(out / name, definition)

    service = Schema.load(standards / SERVICE_SEGMENT_SOURCE)
    contrl = Schema.load(standards / CONTRL_SCHEMA)
    definition, _ = build_message(contrl, service, {}, "SERVICE", "CONTRL", "", CONTRL_SCHEMA)
    sizes["SERVICE-CONTRL.json.gz"] = write_json(out / "SERVICE-CONTRL.json.gz", definition)

    for directory, ids in used_codes.items():
        lists: dict[str, set[str]] = {}
        for schema in schemas[directory]:
            for element_id, codes in schema.coded_lists().items():
                lists.setdefault(element_id, set()).update(codes)
        codes = {k: sorted(lists[k]) for k in sorted(ids) if k in lists}
        name = f"codes-{directory}.json.gz"
        data = {"format": FORMAT_VERSION, "directory": directory, "codes": codes}
        sizes[name] = write_json(out / name, data)
    return sizes


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_standards = repo / ".." / "shared" / "standards" / "edifact"
    default_out = repo / "translators" / "edifact" / "definitions" / "data"
    parser.add_argument("standards", nargs="?", type=Path, default=default_standards)
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    if not args.standards.is_dir():
        print(f"no schema folder at {args.standards}", file=sys.stderr)
        return 2
    sizes = generate(args.standards, args.out)
    for name, size in sorted(sizes.items()):
        print(f"{size:>9,}  {name}")
    print(f"{sum(sizes.values()):>9,}  total in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
