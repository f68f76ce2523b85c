"""The ``[sftp]`` section of a partner profile: a mailbox on our server, or a server of theirs we poll.

Two ways of exchanging files over SFTP, one section:

``mode = "mailbox"`` (the default)
    The partner logs in to edigate's own SFTP server as ``username`` and sees only its mailbox
    (``/in``, ``/out``, ``/archive``). It authenticates with one of ``authorized_keys`` (OpenSSH
    ``authorized_keys`` lines, several so a key can be rotated), the keys in ``authorized_keys_file``
    (a file an operator can replace without editing the profile; relative paths are under the data
    directory), or a password whose scrypt hash is ``password_hash``. ``keep_uploads`` moves a processed
    upload to ``/archive`` instead of deleting it.

``mode = "poll"``
    edigate connects to ``host``:``port`` as ``username`` every ``poll_seconds``, refuses the server unless
    its host key has the pinned ``host_key_fingerprint`` (``SHA256:…`` as ``ssh-keygen -lf`` prints it),
    collects the files matching ``pattern`` in ``pickup_dir`` once they have not changed for
    ``stable_seconds``, and deletes them (or moves them to ``move_to``) after they are safely taken in.
    Files for the partner are uploaded to ``upload_dir`` under a temporary name and renamed when complete.
    Credentials are files, never values in the profile: ``private_key_file`` (OpenSSH format) and/or
    ``password_file``, relative paths under the data directory.

Only syntax is checked here; whether a key file exists is the running gateway's business, since the
data directory is not known when a profile is linted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)

# Key types an authorized_keys line may name; paramiko can verify signatures of each of them.
KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
    }
)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}=?")
_SCRYPT_HASH = re.compile(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+")


def key_fingerprint(blob: bytes) -> str:
    """The OpenSSH SHA-256 fingerprint of a public key blob, as ``ssh-keygen -lf`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def parse_authorized_key(line: str) -> tuple[str, bytes]:
    """``(key type, key blob)`` of one ``authorized_keys`` line; ``ValueError`` says what is wrong.

    Lines with options (``from="…"``, ``command="…"``, ``restrict``) are refused rather than accepted
    without the restriction: an operator who wrote ``from=`` expects it to be enforced.
    """
    parts = line.strip().split(None, 2)
    if len(parts) < 2:
        raise ValueError("expected an OpenSSH public key line such as 'ssh-ed25519 AAAAC3Nza… comment'")
    key_type, encoded = parts[0], parts[1]
    if key_type not in KEY_TYPES:
        if "=" in key_type or key_type in {"restrict", "no-pty", "no-port-forwarding"}:
            raise ValueError("authorized_keys options (from=, command=, restrict…) are not supported")
        raise ValueError(f"unsupported key type {key_type!r}; expected one of {', '.join(sorted(KEY_TYPES))}")
    try:
        blob = base64.b64decode(encoded, validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        inner_type = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError):
        raise ValueError("the key data is not a valid base64 OpenSSH public key") from None
    if inner_type != key_type:
        raise ValueError(f"the key data is a {inner_type!r} key, but the line says {key_type!r}")
    return key_type, blob


def parse_authorized_keys_text(text: str) -> list[tuple[str, bytes]]:
    """Every usable key in the contents of an ``authorized_keys`` file; comments and blank lines skipped.

    A bad line is skipped, not fatal: one mistyped line must not lock every other key out.
    """
    keys: list[tuple[str, bytes]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            keys.append(parse_authorized_key(line))
        except ValueError:
            continue
    return keys


def _check_authorized_key(value: str) -> str:
    parse_authorized_key(value)
    return value


def _check_username(value: str) -> str:
    if value and not _USERNAME.fullmatch(value):
        raise ValueError("expected a user name of lower-case letters, digits, '.', '_' and '-' (at most 64)")
    return value


def _check_fingerprint(value: str) -> str:
    if value and not _FINGERPRINT.fullmatch(value):
        raise ValueError("expected a SHA-256 host key fingerprint like SHA256:… (ssh-keygen -lf key.pub)")
    return value


def _check_password_hash(value: str) -> str:
    if value and not _SCRYPT_HASH.fullmatch(value):
        raise ValueError(
            "expected an scrypt hash (scrypt$N$r$p$salt$digest) made with "
            "gateway.dashboard.passwords.hash_password; never put the password itself here"
        )
    return value


def _check_remote_dir(value: str) -> str:
    if "\x00" in value or ".." in value.split("/"):
        raise ValueError("expected a folder on the partner's server without '..'")
    return value


AuthorizedKey = Annotated[str, AfterValidator(_check_authorized_key)]
RemoteDir = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_remote_dir)]


class SftpSettings(BaseModel):
    """How a partner exchanges files over SFTP (see the module docstring for the two modes)."""

    model_config = _STRICT

    mode: Literal["mailbox", "poll"] = "mailbox"
    username: Annotated[str, AfterValidator(_check_username)] = ""
    # mailbox: our server
    authorized_keys: list[AuthorizedKey] = Field(default_factory=list)
    authorized_keys_file: str = ""
    password_hash: Annotated[str, AfterValidator(_check_password_hash)] = ""
    keep_uploads: bool = True
    # poll: their server
    host: Annotated[str, StringConstraints(strip_whitespace=True)] = ""
    port: Annotated[int, Field(ge=1, le=65535)] = 22
    host_key_fingerprint: Annotated[str, AfterValidator(_check_fingerprint)] = ""
    private_key_file: str = ""
    password_file: str = ""
    pickup_dir: RemoteDir = "out"
    upload_dir: RemoteDir = "in"
    pattern: Annotated[str, StringConstraints(min_length=1)] = "*"
    stable_seconds: Annotated[float, Field(ge=0)] = 10.0
    after_pickup: Literal["delete", "move"] = "delete"
    move_to: RemoteDir = ""
    poll_seconds: Annotated[float, Field(gt=0)] = 60.0
    timeout_seconds: Annotated[float, Field(gt=0)] = 30.0

    @model_validator(mode="after")
    def _complete_for_its_mode(self) -> SftpSettings:
        """Refuse a section that cannot work, naming what is missing, instead of failing at first use."""
        if self.mode == "mailbox":
            if not (self.authorized_keys or self.authorized_keys_file or self.password_hash):
                raise ValueError(
                    "a mailbox account needs authorized_keys, authorized_keys_file or password_hash"
                )
            return self
        missing = [name for name in ("host", "username", "host_key_fingerprint") if not getattr(self, name)]
        if missing:
            raise ValueError(f"mode = 'poll' needs {', '.join(missing)}")
        if not (self.private_key_file or self.password_file):
            raise ValueError("mode = 'poll' needs private_key_file or password_file")
        if self.after_pickup == "move" and not self.move_to:
            raise ValueError("after_pickup = 'move' needs move_to (a folder on the partner's server)")
        if self.authorized_keys or self.authorized_keys_file or self.password_hash:
            raise ValueError("authorized_keys and password_hash are for mode = 'mailbox' (our server)")
        return self

    def account_name(self, partner_id: str) -> str:
        """The user name on our server: ``username``, or the partner id when none is given."""
        return self.username or partner_id
