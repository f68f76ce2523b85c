"""Any body and Content-Type into the AS2 receiver's unwrapping: an MDN disposition, never a traceback.

``open_message`` peels MIME, CMS signatures, envelopes and compression off what a partner POSTed.
Whatever arrives, the answer must be an :class:`As2Rejection` (which becomes a negative MDN with
its RFC 4130 disposition) or the opened payload — an unexpected exception would become a 500 with
no MDN, and the sender would retry forever. Seeds are real messages edigate's own sender builds
(signed, encrypted, compressed, every combination), then damaged.
"""

from __future__ import annotations

import contextlib
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gateway.channels.as2.certificates import make_self_signed
from gateway.channels.as2.inbound import As2Rejection, Opened, open_message, outer_entity
from gateway.channels.as2.mime import MimeError
from gateway.channels.as2.outbound import build_message
from gateway.channels.as2.smime import KeyPair
from partners.as2 import As2Settings
from tests.fuzz.mutations import FUZZ_SETTINGS, mutated
from tests.gateway.as2_peers.station import PAYLOAD, PemPair

CONTENT_TYPES = (
    "application/edifact",
    "application/pkcs7-mime; smime-type=enveloped-data",
    "application/pkcs7-mime; smime-type=compressed-data",
    "application/pkcs7-mime; smime-type=signed-data",
    'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b"',
    "multipart/signed; boundary=",
    "multipart/signed",
    "",
    ';;;="',
    "text/plain; charset=\xff",
)


@cache
def _pair() -> PemPair:
    certificate, key = make_self_signed("FUZZ", days=30)
    return PemPair(certificate, key)


def _settings(**shape: Any) -> As2Settings:
    return As2Settings(id="FUZZ", certificates=[_pair().certificate.decode()], must_sign=False, **shape)


@cache
def _messages() -> list[tuple[str, bytes]]:
    """(Content-Type, body) of one message per layer combination."""
    pair = _pair()
    out = []
    for sign in (False, True):
        for encrypt in (False, True):
            for compress in (False, True):
                built = build_message(
                    PAYLOAD,
                    message_id="fuzz@edigate",
                    filename="order.edi",
                    content_type="application/edifact",
                    our_id="FUZZ",
                    settings=_settings(sign=sign, encrypt=encrypt, compress=compress),
                    signer=_keys(),
                    recipient=pair.cert,
                )
                out.append((built.headers["Content-Type"], built.body))
    return out


@cache
def _keys() -> KeyPair:
    return _pair().key_pair()  # loading checks the RSA key, which is slow: once per run


@cache
def _receiving() -> As2Settings:
    return _settings()


def open_received(content_type: str, transfer_encoding: str | None, body: bytes) -> Opened:
    """What the receiver does with a POSTed body, with our key pair as both ends."""
    return open_message(
        outer_entity(content_type, transfer_encoding, body),
        settings=_receiving(),
        trusted=[_keys().certificate],
        keys=[_keys()],
        max_size=1024 * 1024,
    )


def _open(content_type: str, transfer_encoding: str | None, body: bytes) -> None:
    try:
        opened = open_received(content_type, transfer_encoding, body)
    except As2Rejection as exc:
        assert exc.disposition is not None and exc.reason
        return
    with contextlib.suppress(MimeError):  # the receiver answers it with unexpected-processing-error
        opened.payload.decoded_body()


def test_every_seed_message_opens_to_the_payload() -> None:
    """The seeds are sound, so what the fuzz tests damage is a real message of each shape."""
    for content_type, body in _messages():
        opened = open_received(content_type, None, body)
        assert opened.payload.decoded_body() == PAYLOAD


@FUZZ_SETTINGS
@given(st.data())
def test_damaged_as2_bodies_get_a_disposition(data: st.DataObject) -> None:
    messages = _messages()
    index = data.draw(st.integers(0, len(messages) - 1))
    content_type, body = messages[index]
    damaged = data.draw(mutated([body]))
    if data.draw(st.booleans()):
        content_type = data.draw(st.sampled_from(CONTENT_TYPES))
    _open(
        content_type, data.draw(st.sampled_from((None, "binary", "base64", "quoted-printable", "x"))), damaged
    )


@FUZZ_SETTINGS
@given(st.sampled_from(CONTENT_TYPES), st.binary(max_size=4096))
def test_arbitrary_bodies_get_a_disposition(content_type: str, body: bytes) -> None:
    _open(content_type, None, body)
