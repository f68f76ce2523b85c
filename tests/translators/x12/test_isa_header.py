"""A broken ISA is fatal and named precisely: field, column, what was found, what was expected."""

from __future__ import annotations

import pytest

from tests.translators.x12.samples import group, interchange, isa, po_set
from translators.errors import EdiSyntaxError
from translators.x12.reader import read_x12_interchanges


def _raise(text: str):
    with pytest.raises(EdiSyntaxError) as info:
        read_x12_interchanges(text)
    return info.value.error


def test_a_field_of_the_wrong_width_is_named_with_its_column():
    text = interchange(*group(po_set())).replace("*UMBRELLA       *", "*UMBRELLA      *", 1)
    error = _raise(text)
    assert error.code == "ISA_INVALID"
    assert (error.location.segment_index, error.location.segment_tag, error.location.element) == (1, "ISA", 6)
    assert "ISA06" in error.text and "column 36" in error.text and "14 characters" in error.text
    assert error.syntax_code == "TA1:006"


def test_non_numeric_control_number_is_reported_as_isa13():
    text = interchange(*group(po_set()))
    broken = text[:90] + "00000000x" + text[99:]
    error = _raise(broken)
    assert error.location.element == 13
    assert "ISA13" in error.text and "column 91" in error.text and "'00000000x'" in error.text
    assert "expected 9 digits" in error.text


def test_an_isa_cut_short_is_reported():
    error = _raise(isa()[:60])
    assert error.code == "ISA_INVALID" and "cut short" in error.text


def test_a_letter_where_the_terminator_belongs_means_the_isa_is_too_long():
    text = interchange(*group(po_set()))
    error = _raise(text[:105] + "X" + text[105:])
    assert error.location.element == 16 and error.syntax_code == "TA1:004"


def test_component_separator_equal_to_element_separator_is_rejected():
    error = _raise(isa(comp="*") + "~")
    assert error.location.element == 16 and error.syntax_code == "TA1:027"


def test_readable_but_wrong_values_are_errors_not_exceptions():
    text = interchange(*group(po_set()))
    text = text[:102] + "X" + text[103:]  # ISA15 usage indicator, column 103
    ic = read_x12_interchanges(text)[0]
    error = ic.errors[0]
    assert (error.code, error.location.element, error.syntax_code) == ("ISA_VALUE_INVALID", 15, "TA1:020")


def test_a_broken_second_isa_becomes_an_error_of_the_first_interchange():
    good = interchange(*group(po_set()))
    bad = interchange(*group(po_set()), control=2).replace("*UMBRELLA       *", "*UMBRELLA*", 1)
    result = read_x12_interchanges(good + bad)
    assert len(result) == 1
    assert result[0].errors[-1].code == "ISA_INVALID" and result[0].errors[-1].location.element == 6
