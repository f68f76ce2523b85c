"""The [sftp] section of a partner profile: complete for its mode, keys checked, secrets never inline."""

from __future__ import annotations

import base64
import struct

import pytest
from pydantic import ValidationError

from partners.loader import demo_directory_path, load_directory
from partners.sftp import SftpSettings, key_fingerprint, parse_authorized_key, parse_authorized_keys_text


def _key_line(key_type: str = "ssh-ed25519", comment: str = "partner@example") -> str:
    blob = struct.pack(">I", len(key_type)) + key_type.encode() + struct.pack(">I", 32) + bytes(range(32))
    return f"{key_type} {base64.b64encode(blob).decode()} {comment}"


POLL = {
    "mode": "poll",
    "host": "sftp.partner.example",
    "username": "edigate",
    "host_key_fingerprint": "SHA256:" + "A" * 43,
    "private_key_file": "keys/partner",
}


def test_demo_acme_has_a_mailbox_account_with_key_file_and_hashed_password():
    acme = load_directory(demo_directory_path()).get("acme-retail")
    assert acme is not None and acme.sftp is not None
    assert (acme.sftp.mode, acme.sftp.account_name(acme.id)) == ("mailbox", "acme")
    assert acme.sftp.authorized_keys_file == "keys/acme_ed25519.pub"
    assert acme.sftp.password_hash.startswith("scrypt$") and "acme-demo" not in acme.sftp.password_hash
    assert acme.delivery == "sftp"


def test_several_authorized_keys_are_accepted_for_rotation():
    settings = SftpSettings(authorized_keys=[_key_line(comment="old"), _key_line(comment="new")])
    assert settings.account_name("acme-retail") == "acme-retail"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ssh-dss AAAAB3NzaC1kc3M= x", "unsupported key type"),
        ('from="10.0.0.1" ' + _key_line(), "options"),
        ("ssh-ed25519 not-base64!", "not a valid base64"),
        (_key_line().replace("ssh-ed25519", "ssh-rsa", 1), "is a 'ssh-ed25519' key"),
        ("ssh-ed25519", "expected an OpenSSH public key line"),
    ],
)
def test_bad_authorized_key_lines_are_refused_with_the_reason(line, message):
    with pytest.raises(ValidationError, match=message):
        SftpSettings(authorized_keys=[line])


def test_a_bad_line_in_an_authorized_keys_file_does_not_lock_out_the_others():
    text = f"# rotated in March\n\n{_key_line()}\ngarbage\n"
    assert [t for t, _blob in parse_authorized_keys_text(text)] == ["ssh-ed25519"]


def test_fingerprint_is_the_openssh_sha256_form():
    _type, blob = parse_authorized_key(_key_line())
    fingerprint = key_fingerprint(blob)
    assert fingerprint.startswith("SHA256:") and len(fingerprint) == 7 + 43 and not fingerprint.endswith("=")


def test_a_mailbox_account_needs_a_way_to_log_in():
    with pytest.raises(ValidationError, match="needs authorized_keys"):
        SftpSettings()


def test_a_plain_password_is_refused_where_its_hash_belongs():
    with pytest.raises(ValidationError, match="scrypt hash"):
        SftpSettings(password_hash="acme-demo")


def test_a_polled_partner_needs_host_user_pinned_key_and_a_credential():
    assert SftpSettings(**POLL).pickup_dir == "out"
    for missing in ("host", "username", "host_key_fingerprint"):
        with pytest.raises(ValidationError, match=missing):
            SftpSettings(**{**POLL, missing: ""})
    with pytest.raises(ValidationError, match="private_key_file or password_file"):
        SftpSettings(**{**POLL, "private_key_file": ""})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"host_key_fingerprint": "MD5:aa:bb"}, "SHA-256 host key fingerprint"),
        ({"after_pickup": "move"}, "needs move_to"),
        ({"pickup_dir": "../etc"}, "without '..'"),
        ({"port": 0}, "greater than or equal to 1"),
        ({"authorized_keys": [_key_line()]}, "for mode = 'mailbox'"),
        ({"password": "secret"}, "Extra inputs are not permitted"),
    ],
)
def test_poll_settings_mistakes_are_refused(overrides, message):
    with pytest.raises(ValidationError, match=message):
        SftpSettings(**{**POLL, **overrides})
