"""Changes to a profile's credentials made by software (the admin API), applied to the TOML *text*.

Profiles are written and commented by people, so an edit must leave every comment, blank line and key
order as it was and touch only the array it changes; tomlkit (a style-preserving TOML library) does
that. The functions take and return text and do no I/O: the gateway reads, writes and reloads.
What is added is checked here first, so a change never produces a profile the loader refuses.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from partners.sftp import key_fingerprint, parse_authorized_key
from partners.skeleton import FILL_IN

NO_AS2_SECTION = "the partner has no [as2] section; write its AS2 id in the profile first"
MIN_PREFIX = 8
"""Shortest digest prefix that names an API key: long enough not to be ambiguous by accident."""


class ProfileEditError(ValueError):
    """Why an edit cannot be made; ``code`` is stable (NOT_FOUND, AMBIGUOUS, NO_AS2, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def add_api_key_hash(text: str, digest: str) -> str:
    """``digest`` appended to ``api_key_sha256`` (created when absent); the other keys keep working."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ProfileEditError("INVALID_HASH", "expected a SHA-256 digest as 64 lower-case hex characters")
    document = _parse(text)
    _append(document, "api_key_sha256", digest)
    return tomlkit.dumps(document)


def remove_api_key_hashes(text: str, prefix: str) -> tuple[str, str]:
    """The text without the one hash starting with ``prefix``, and that hash."""
    prefix = prefix.lower()
    if len(prefix) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
        raise ProfileEditError(
            "INVALID_PREFIX", f"name the key by at least {MIN_PREFIX} hex digits of its SHA-256"
        )
    document = _parse(text)
    digests = document.get("api_key_sha256", [])
    index = _only_match(
        [i for i, d in enumerate(digests) if str(d).startswith(prefix)], f"API key hash {prefix}…"
    )
    removed = str(digests[index])
    del digests[index]
    return tomlkit.dumps(document), removed


def add_authorized_key(text: str, line: str) -> tuple[str, str]:
    """``line`` (an OpenSSH public key) added to ``[sftp] authorized_keys``; returns its fingerprint.

    A partner without ``[sftp]`` gets a mailbox section; one whose server we poll is refused, since
    keys that log in to *our* server mean nothing there.
    """
    line = line.strip()
    try:
        _, blob = parse_authorized_key(line)
    except ValueError as exc:
        raise ProfileEditError("INVALID_KEY", str(exc)) from None
    if "\n" in line:
        raise ProfileEditError("INVALID_KEY", "expected exactly one authorized_keys line")
    fingerprint = key_fingerprint(blob)
    document = _parse(text)
    sftp = document.get("sftp")
    if sftp is None:
        sftp = tomlkit.table()
        document["sftp"] = sftp
    if sftp.get("mode", "mailbox") != "mailbox":
        raise ProfileEditError(
            "SFTP_POLL_MODE", "the partner's [sftp] polls its own server; keys are for mailboxes"
        )
    if fingerprint in fingerprints(sftp.get("authorized_keys", [])):
        raise ProfileEditError("DUPLICATE_KEY", f"key {fingerprint} is already authorized")
    _append(sftp, "authorized_keys", line)
    return tomlkit.dumps(document), fingerprint


def remove_authorized_key(text: str, fingerprint: str) -> str:
    """The text without the ``authorized_keys`` entry whose OpenSSH fingerprint is ``fingerprint``."""
    document = _parse(text)
    keys = (document.get("sftp") or {}).get("authorized_keys", [])
    index = _only_match(
        [i for i, found in enumerate(fingerprints(keys)) if found == fingerprint], f"SFTP key {fingerprint}"
    )
    del keys[index]
    return tomlkit.dumps(document)


def add_as2_certificate(text: str, reference: str) -> str:
    """``reference`` (a path or PEM) added to ``[as2] certificates``, next to the current ones, so
    the partner can switch during a rollover; remove the old one once it has."""
    document = _parse(text)
    as2 = document.get("as2")
    if as2 is None:
        raise ProfileEditError("NO_AS2", NO_AS2_SECTION)
    if reference in [str(c) for c in as2.get("certificates", [])]:
        raise ProfileEditError("DUPLICATE_CERTIFICATE", "this certificate is already listed")
    _append(as2, "certificates", reference)
    return tomlkit.dumps(document)


def _parse(text: str) -> Any:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ProfileEditError("TOML_SYNTAX", f"the profile is not valid TOML: {exc}") from None


def _append(container: Any, key: str, value: str) -> None:
    """Append to an array, written one entry per line once it holds several (diffs stay readable)."""
    if key not in container:
        container[key] = tomlkit.array()
    array = container[key]
    if FILL_IN in array.trivia.comment:  # the skeleton's "fill this in" note is done with now
        array.trivia.comment = array.trivia.comment_ws = ""
    array.append(value)
    if len(array) > 1:
        array.multiline(True)


def fingerprints(keys: Any) -> list[str]:
    """The OpenSSH fingerprint of each ``authorized_keys`` line (``?`` for a line that does not parse)."""
    out = []
    for line in keys:
        try:
            out.append(key_fingerprint(parse_authorized_key(str(line))[1]))
        except ValueError:
            out.append("?")
    return out


def _only_match(indexes: list[int], what: str) -> int:
    if not indexes:
        raise ProfileEditError("NOT_FOUND", f"{what} is not in the profile")
    if len(indexes) > 1:
        raise ProfileEditError("AMBIGUOUS", f"{what} matches {len(indexes)} entries; give more digits")
    return indexes[0]
