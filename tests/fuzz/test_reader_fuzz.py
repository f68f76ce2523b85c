"""Any bytes into the readers: a result or edigate's own located error, never another exception.

The gateway archives whatever a partner sends and then reads it in the worker; a ``ValueError`` from
``int("2²")`` deep in a reader would leave a message without a reason and the operator without a
clue. Each reader is fed random bytes and damaged real interchanges (``tests/fixtures`` and
``../shared/corpus`` when present); ``translate`` — validators and maps included — must always
return, with every problem as an :class:`~translators.errors.EdiError` that has a code and a text.
"""

from __future__ import annotations

from functools import cache

from hypothesis import given

from partners.directory import PartnerDirectory
from partners.loader import demo_directory_path, load_directory
from tests.fuzz.mutations import FUZZ_SETTINGS, arbitrary, mutated, seeds
from translators.edifact.reader import read_interchanges
from translators.errors import EdiError, EdiSyntaxError
from translators.translate import translate
from translators.x12.reader import read_x12_interchanges
from translators.xml.parser import read_xml

EDIFACT = seeds("edifact")
X12 = seeds("x12")
XML = seeds("xml")


@cache
def _directory() -> PartnerDirectory:
    return load_directory(demo_directory_path())


def _assert_located(error: EdiError) -> None:
    assert isinstance(error, EdiError), error
    assert error.code and error.code.isupper(), error
    assert error.text, error
    error.location.describe()  # must not fail on whatever the reader put there


def _read_or_refuse(reader, data: bytes) -> None:
    try:
        reader(data)
    except EdiSyntaxError as exc:
        _assert_located(exc.error)


def _translates(data: bytes, channel_partner: str | None = None) -> None:
    result = translate(data, _directory(), channel_partner=channel_partner)
    for error in result.all_errors:
        _assert_located(error)


@FUZZ_SETTINGS
@given(mutated(EDIFACT))
def test_edifact_reader_reads_or_refuses_damaged_interchanges(data: bytes) -> None:
    _read_or_refuse(read_interchanges, data)


@FUZZ_SETTINGS
@given(arbitrary((b"UNA:+.? '", b"UNB+UNOC:3+", b"UNA:+.? 'UNB+UNOY:4+", b"UNB+UNOA:2+")))
def test_edifact_reader_reads_or_refuses_arbitrary_bytes(data: bytes) -> None:
    _read_or_refuse(read_interchanges, data)


@FUZZ_SETTINGS
@given(mutated(X12))
def test_x12_reader_reads_or_refuses_damaged_interchanges(data: bytes) -> None:
    _read_or_refuse(read_x12_interchanges, data)


@FUZZ_SETTINGS
@given(arbitrary((b"ISA*00*          *00*          *ZZ*", b"ISA", b"ISA|")))
def test_x12_reader_reads_or_refuses_arbitrary_bytes(data: bytes) -> None:
    _read_or_refuse(read_x12_interchanges, data)


@FUZZ_SETTINGS
@given(mutated(XML))
def test_xml_parser_reads_or_refuses_damaged_documents(data: bytes) -> None:
    _read_or_refuse(read_xml, data)


@FUZZ_SETTINGS
@given(arbitrary((b"<", b'<?xml version="1.0"?>', b"<!DOCTYPE x [", b"<a>")))
def test_xml_parser_reads_or_refuses_arbitrary_bytes(data: bytes) -> None:
    _read_or_refuse(read_xml, data)


@FUZZ_SETTINGS
@given(mutated(EDIFACT + X12 + XML))
def test_translate_always_returns_located_errors_for_damaged_input(data: bytes) -> None:
    _translates(data)


@FUZZ_SETTINGS
@given(mutated(EDIFACT + X12 + XML))
def test_translate_for_an_authenticated_channel_partner_always_returns(data: bytes) -> None:
    _translates(data, channel_partner="acme-retail")
