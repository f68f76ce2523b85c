"""One regular expression per segment definition that matches only segments without element errors.

The validator's element checks walk every element of every segment in Python, which made them the
largest cost of translating an 850. Most segments are clean, and for a segment still held as the
raw text it was read from, one compiled pattern answers "clean?" in a single C call. A segment the
pattern does not match goes through the element-by-element checks, which find and locate its errors
exactly as before, so error texts and locations do not depend on this module at all.

The patterns are sound, not complete: whatever they match, the full checks accept; a few clean
segments are not matched and are merely checked the slow way - a 29 February, an R value written
with an exponent, trailing empty elements beyond the defined count, any separator character inside
an element that is not a composite.

Syntax notes (paired, required, conditional, list, exclusion) depend only on which positions are
filled: each element is a capture group that is set only when the element is filled, and each note
is a conditional on those groups at the end of the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from translators.x12.definitions import ElementRule, SegmentDefinition, SyntaxRule, load

Split = tuple[str, str, str | None]  # element, component, repetition separator, as X12Segment keeps them

# Months and days every year has; 29 February (and any year before 1000) is left to the full check.
_MONTH_DAY = "(?:(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])(?:29|30)|(?:0[13578]|1[02])31)"
_TIME_BY_LENGTH = {
    4: "(?:[01][0-9]|2[0-3])[0-5][0-9]",
    6: "(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]",
    7: "(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9][0-9]",
    8: "(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9][0-9]{2}",
}


Accepts = Callable[[str], object]  # truthy only when the full element checks would find nothing wrong


@lru_cache(maxsize=64)  # bounded: the separators come from the input
def segment_patterns(transaction_set: str, version: str, split: Split) -> Mapping[str, Accepts]:
    """The ``fullmatch`` of the pattern of every segment of the set that can have one."""
    definition = load(transaction_set, version)
    if definition is None:
        return {}
    out: dict[str, Accepts] = {}
    for tag, segment in definition.segments.items():
        text = _segment(segment, *split)
        if text is not None:
            out[tag] = re.compile(text, re.DOTALL).fullmatch
    return out


def _segment(definition: SegmentDefinition, elem: str, comp: str, rep: str | None) -> str | None:
    """Element n is capture group n, set only when the element is filled, for the syntax notes."""
    excluded = "\\x00-\\x1f\\x7f" + re.escape(elem) + re.escape(comp) + (re.escape(rep) if rep else "")
    sep = re.escape(elem)
    parts: list[tuple[str, bool]] = []  # (group pattern, mandatory)
    for rule in definition.elements:
        value = _composite(rule, excluded, comp) if rule.components is not None else _value(rule, excluded)
        if value is None:
            return None
        mandatory = rule.requirement == "M"
        parts.append((f"({value})" if mandatory else f"(?:({value}))?", mandatory))
    parts += [(f"(?:([^{excluded}]+))?", False)] * (definition.count - len(definition.elements))
    notes = _syntax_notes(definition.rules, len(parts))
    if notes is None:
        return None
    last_mandatory = max((i for i, (_, m) in enumerate(parts) if m), default=-1)
    head = "".join(sep + group for group, _ in parts[: last_mandatory + 1])
    tail = ""
    for group, _ in reversed(parts[last_mandatory + 1 :]):
        tail = f"(?:{sep}{group}{tail})?"
    return re.escape(definition.tag) + head + tail + notes


def _syntax_notes(rules: tuple[SyntaxRule, ...], groups: int) -> str | None:
    """Zero-width conditionals on which groups are set, one per note; None for a note this cannot
    express (a position beyond the segment's elements)."""
    out = []
    for rule in rules:
        positions = rule.positions
        if not positions or max(positions) > groups or min(positions) < 1:
            return None
        first, others = positions[0], positions[1:]
        all_set = "".join(f"(?({p})|(?!))" for p in others)
        none_set = "".join(f"(?({p})(?!)|)" for p in others)
        if rule.kind == "P":  # paired: all or none
            out.append(f"(?({first}){all_set}|{none_set})")
        elif rule.kind == "R":  # at least one
            out.append(_any_set(positions))
        elif rule.kind == "C":  # if the first, then all
            out.append(f"(?({first}){all_set}|)")
        elif rule.kind == "L":  # if the first, then at least one of the others
            out.append(f"(?({first}){_any_set(others)}|)")
        elif rule.kind == "E":  # at most one
            out += [f"(?({a})(?({b})(?!)|)|)" for i, a in enumerate(positions) for b in positions[i + 1 :]]
        else:
            return None
    return "".join(out)


def _any_set(positions: tuple[int, ...]) -> str:
    text = "(?!)"
    for p in reversed(positions):
        text = f"(?({p})|{text})"
    return text


def _composite(rule: ElementRule, excluded: str, comp: str) -> str | None:
    """A composite with at least one filled component (an all-empty one is absent, which the
    full check may report) and every component valid; extra components are left to the full check."""
    assert rule.components is not None
    sep = re.escape(comp)
    parts: list[tuple[str, bool]] = []
    for component in rule.components:
        value = _value(component, excluded)
        if value is None:
            return None
        mandatory = component.requirement == "M"
        parts.append((value if mandatory else f"(?:{value})?", mandatory))
    last_mandatory = max((i for i, (_, m) in enumerate(parts) if m), default=0)
    head = parts[0][0] + "".join(sep + p for p, _ in parts[1 : last_mandatory + 1])
    tail = ""
    for p, _ in reversed(parts[last_mandatory + 1 :]):
        tail = f"(?:{sep}{p}{tail})?"
    return f"(?={sep}*[^{excluded}])" + head + tail


def _value(rule: ElementRule, excluded: str) -> str | None:
    """A non-empty value that breaks none of ``rule``'s checks, or None when there is none."""
    kind, low, high = rule.type, max(rule.min_length, 1), rule.max_length
    if low > high:
        return None
    if kind[:1] == "N":
        return f"-?[0-9]{{{low},{high}}}"
    if kind == "R":  # length counts digits: a point is allowed once, anywhere, and not counted
        return f"-?(?:[0-9]{{{low},{high}}}|(?=[0-9.]{{{low + 1},{high + 1}}}(?![0-9.]))[0-9]*\\.[0-9]*)"
    if kind == "DT":
        forms = [f"[0-9]{{2}}{_MONTH_DAY}"] if rule.min_length <= 6 <= high else []
        forms += [f"[1-9][0-9]{{3}}{_MONTH_DAY}"] if rule.min_length <= 8 <= high else []
        return "(?:" + "|".join(forms) + ")" if forms else None
    if kind == "TM":
        forms = [form for length, form in _TIME_BY_LENGTH.items() if rule.min_length <= length <= high]
        return "(?:" + "|".join(forms) + ")" if forms else None
    if rule.codes is not None:
        allowed = re.compile(f"[^{excluded}]{{{low},{high}}}")
        codes = sorted(code for code in rule.codes if allowed.fullmatch(code))
        return "(?:" + "|".join(map(re.escape, codes)) + ")" if codes else None
    return f"[^{excluded}]{{{low},{high}}}"
