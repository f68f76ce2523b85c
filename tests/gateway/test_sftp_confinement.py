"""A partner sees its own mailbox and nothing else: no path, link or rename leads out of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.channels.sftp_mailbox import MailboxPath, PathRefused, canonical, parse_path
from gateway.channels.sftp_server import SftpServer
from gateway.context import Gateway
from gateway.demo import prepare_demo
from tests.gateway.test_sftp_support import (
    DEMO_KEY,
    ORDER,
    mailbox,
    paramiko_sftp,
    run_sftp,
    start_server,
    transmissions,
)

SECRET = b"operator-only secret"


@pytest.fixture
def server(gateway: Gateway) -> Iterator[SftpServer]:
    prepare_demo(gateway)
    running = start_server(gateway)
    yield running
    running.stop()


@pytest.fixture
def key(gateway: Gateway) -> Path:
    return gateway.settings.data_dir / DEMO_KEY


@pytest.fixture
def secrets(gateway: Gateway) -> dict[str, Path]:
    """Files a partner must never read: one in the data dir, one in another partner's mailbox."""
    data_dir = gateway.settings.data_dir.resolve()
    outside = data_dir / "secret.txt"
    outside.write_bytes(SECRET)
    other = data_dir / "sftp" / "supplier-one" / "out"
    other.mkdir(parents=True)
    (other / "their.edi").write_bytes(SECRET)
    return {"data_dir": outside, "other_partner": other / "their.edi"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", MailboxPath(None, None)),
        ("", MailboxPath(None, None)),
        (".", MailboxPath(None, None)),
        ("in", MailboxPath("in", None)),
        ("/in/./x.edi", MailboxPath("in", "x.edi")),
        ("//in//x.edi", MailboxPath("in", "x.edi")),
        ("/out/../in/x.edi", MailboxPath("in", "x.edi")),
    ],
)
def test_client_paths_resolve_inside_the_mailbox(path, expected):
    assert parse_path(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "..",
        "/../etc/passwd",
        "/in/../../etc/passwd",
        "../../../../etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/in/sub/x.edi",
        "/in/x\x00.edi",
        "/in/x\\..\\y",
        "/in/" + "x" * 300,
    ],
)
def test_paths_leaving_or_outside_the_mailbox_are_refused(path):
    with pytest.raises(PathRefused):
        parse_path(path)


def test_realpath_never_answers_above_the_root():
    assert canonical("/..") == "/"
    assert canonical("../../in/..//out") == "/out"


def test_openssh_client_escape_attempts_are_refused_and_read_nothing(gateway, server, key, secrets, tmp_path):
    loot = tmp_path / "loot"
    loot.mkdir()
    attempts = [
        "-get ../../secret.txt loot/a",
        "-get /../../secret.txt loot/b",
        "-get //secret.txt loot/c",
        "-get /etc/passwd loot/d",
        "-get ../supplier-one/out/their.edi loot/e",
        "-get /out/../../supplier-one/out/their.edi loot/f",
        "-ln -s /etc/passwd /in/passwd-link",
        f"-ln -s {secrets['data_dir']} /in/secret-link",
        f"-ln {secrets['data_dir']} /in/secret-hardlink",
        "-rename /in /../in-moved",
        f"-put {ORDER} ../escaped.edi",
        f"-put {ORDER} //escaped.edi",
        "-mkdir /in/sub",
        "cd ..",
        "cd ..",
        "pwd",
        "ls",
    ]
    result = run_sftp(server.port, key, "\n".join(attempts) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(loot.iterdir()) == []
    assert "Remote working directory: /" in result.stdout
    assert result.stdout.rsplit("sftp> ls", 1)[1].split() == ["archive", "in", "out"]
    assert sorted(p.name for p in mailbox(gateway).iterdir()) == ["archive", "in", "out"]
    assert list((mailbox(gateway) / "in").iterdir()) == []
    assert not (gateway.settings.data_dir / "escaped.edi").exists()
    assert not any(p.name == "escaped.edi" for p in gateway.settings.data_dir.rglob("*"))
    assert transmissions(gateway) == []


def test_paramiko_escape_attempts_are_refused(gateway, server, key, secrets):
    with paramiko_sftp(server.port, key=key) as sftp:
        for path in ("/../secret.txt", "../../secret.txt", "//secret.txt", "/in/../../secret.txt"):
            with pytest.raises(OSError):
                sftp.open(path, "rb")
            with pytest.raises(OSError):
                sftp.stat(path)
        with pytest.raises(OSError):
            sftp.symlink(str(secrets["data_dir"]), "/in/link")
        with pytest.raises(OSError):
            sftp.rename("/in", "/../in")
        with pytest.raises(OSError):
            sftp.listdir("/..")
        assert sftp.normalize("../..") == "/"


def test_links_planted_on_disk_are_neither_listed_nor_followed(gateway, server, key, secrets):
    """Even if a symlink or hard link appears inside a mailbox (by an admin's slip), it leads nowhere."""
    out = mailbox(gateway) / "out"
    (out / "symlink.edi").symlink_to(secrets["data_dir"])
    os.link(secrets["data_dir"], out / "hardlink.edi")
    with paramiko_sftp(server.port, key=key) as sftp:
        assert sftp.listdir("/out") == []
        for name in ("symlink.edi", "hardlink.edi"):
            with pytest.raises(OSError):
                sftp.open(f"/out/{name}", "rb").read()
            with pytest.raises(OSError):
                sftp.stat(f"/out/{name}")


def test_a_mailbox_folder_replaced_by_a_symlink_is_refused(gateway, server, key, secrets):
    archive = mailbox(gateway) / "archive"
    archive.rmdir()
    archive.symlink_to(secrets["data_dir"].parent)
    with paramiko_sftp(server.port, key=key) as sftp:
        with pytest.raises(OSError):
            sftp.listdir("/archive")
        with pytest.raises(OSError):
            sftp.open("/archive/secret.txt", "rb")


def test_a_file_renamed_out_of_in_is_refused(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as sftp:
        with sftp.open("/in/order.edi.part", "wb") as handle:
            handle.write(b"UNA")
        for target in ("/out/order.edi", "/archive/order.edi", "/order.edi", "/../order.edi"):
            with pytest.raises(OSError):
                sftp.rename("/in/order.edi.part", target)
        assert sftp.listdir("/in") == ["order.edi.part"]


def test_links_are_never_created_even_inside_the_mailbox(gateway, server, key):
    with paramiko_sftp(server.port, key=key) as sftp:
        with sftp.open("/in/real.edi.part", "wb") as handle:
            handle.write(b"UNA")
        for target in ("/in/real.edi.part", "real.edi.part", "/out", "/"):
            with pytest.raises(OSError):
                sftp.symlink(target, "/in/link.edi")
        with pytest.raises(OSError):
            sftp.readlink("/in/real.edi.part")
        assert sftp.listdir("/in") == ["real.edi.part"]
    assert not any(p.is_symlink() for p in mailbox(gateway).rglob("*"))
    assert transmissions(gateway) == []


def test_a_partner_folder_that_is_a_symlink_is_refused(tmp_path: Path):
    """The checks look at the partner's folder and the mailbox folder themselves (lstat), so a
    link in either place leads nowhere, whether it was there first or appeared later."""
    from gateway.channels.sftp_mailbox import OUTBOX, Mailbox

    elsewhere = tmp_path / "elsewhere"
    for folder in ("in", "out", "archive"):
        (elsewhere / folder).mkdir(parents=True)
    (tmp_path / "data" / "sftp").mkdir(parents=True)
    (tmp_path / "data" / "sftp" / "acme").symlink_to(elsewhere)
    with pytest.raises(PathRefused):
        Mailbox(tmp_path / "data", "acme").folder(OUTBOX)

    honest = Mailbox(tmp_path / "data", "globex")
    assert honest.folder(OUTBOX) == (tmp_path / "data" / "sftp" / "globex" / "out").resolve()
    (honest.root / "out").rmdir()
    (honest.root / "out").symlink_to(elsewhere / "out")
    with pytest.raises(PathRefused):
        honest.folder(OUTBOX)
