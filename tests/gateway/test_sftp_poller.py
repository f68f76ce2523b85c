"""Polling a partner's own SFTP server (a real OpenSSH sshd) and uploading to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.channels.sftp_outbound import deliver_sftp
from gateway.channels.sftp_poller import SftpPoller
from gateway.channels.sftp_server import write_key_pair
from gateway.context import Gateway
from gateway.delivery import DeliveryError, OutboundFile
from gateway.duties import DutyRunner
from tests.gateway.test_sftp_support import (
    ORDER,
    Sshd,
    audit_events,
    free_port,
    transmissions,
    with_partner_sftp,
)

PARTNER = "supplier-one"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    server = Sshd(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture
def remote(sshd: Sshd, gateway: Gateway, tmp_path: Path) -> dict[str, Path]:
    """The partner's folders on its server, our login key for it, and a profile pointing there."""
    folders = {name: tmp_path / "partner-server" / name for name in ("out", "in", "done")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    key = gateway.settings.data_dir / "keys" / "supplier-one_poll"
    write_key_pair(key, "edigate-poller")
    with sshd.authorized_keys.open("a") as keys:
        keys.write(key.with_name(key.name + ".pub").read_text())
    poll_profile(gateway, sshd)
    return folders


def poll_profile(gw: Gateway, sshd: Sshd, **overrides: object) -> None:
    root = gw.settings.data_dir.parent / "partner-server"
    settings: dict[str, object] = {
        "mode": "poll",
        "host": "127.0.0.1",
        "port": sshd.port,
        "username": sshd.user,
        "host_key_fingerprint": sshd.fingerprint,
        "private_key_file": "keys/supplier-one_poll",
        "pickup_dir": str(root / "out"),
        "upload_dir": str(root / "in"),
        "pattern": "*.edi",
        "stable_seconds": 5.0,
        "poll_seconds": 30.0,
        "timeout_seconds": 10.0,
    }
    settings.update(overrides)
    with_partner_sftp(gw, PARTNER, **settings)


def polls(ran: list[str]) -> list[str]:
    """The SFTP polling duties among those a round ran (a node has others, e.g. the audit digest)."""
    return [name for name in ran if name.startswith("sftp-poll:")]


def partner(gw: Gateway):
    profile = gw.partners.get(PARTNER)
    assert profile is not None
    return profile


def test_a_stable_file_is_taken_in_and_then_deleted_on_the_partner_server(gateway, remote, clock):
    order = remote["out"] / "desadv.edi"
    order.write_bytes(ORDER.read_bytes())
    (remote["out"] / "notes.txt").write_text("not matching the pattern")
    poller = SftpPoller(gateway)

    first = poller.poll_partner(partner(gateway))
    assert (first.status, first.taken) == ("ok", ())  # first look: not yet known to be stable
    clock.advance(seconds=6)
    second = poller.poll_partner(partner(gateway))

    assert second.status == "ok" and len(second.taken) == 1
    [row] = transmissions(gateway)
    assert (row.id, row.channel, row.partner_id, row.filename) == (
        second.taken[0],
        "sftp",
        PARTNER,
        "desadv.edi",
    )
    assert gateway.archive.get(row.sha256) == ORDER.read_bytes()
    assert row.transport["mode"] == "poll"
    assert not order.exists() and (remote["out"] / "notes.txt").exists()
    assert poller.health()[PARTNER].state == "up"


def test_a_file_still_growing_when_first_seen_is_taken_only_when_complete(gateway, remote, clock):
    data = ORDER.read_bytes()
    growing = remote["out"] / "big.edi"
    growing.write_bytes(data[:40])
    poller = SftpPoller(gateway)

    assert poller.poll_partner(partner(gateway)).taken == ()
    with growing.open("ab") as handle:
        handle.write(data[40:100])
    clock.advance(seconds=6)
    assert poller.poll_partner(partner(gateway)).taken == ()  # changed since the first look
    with growing.open("ab") as handle:
        handle.write(data[100:])
    clock.advance(seconds=6)
    assert poller.poll_partner(partner(gateway)).taken == ()  # changed again
    clock.advance(seconds=6)
    taken = poller.poll_partner(partner(gateway)).taken

    assert len(taken) == 1
    [row] = transmissions(gateway)
    assert gateway.archive.get(row.sha256) == data


def test_a_host_key_mismatch_refuses_the_server_and_marks_the_channel_down(gateway, remote, sshd, tmp_path):
    impostor = tmp_path / "impostor"
    fingerprint = write_key_pair(impostor, "impostor")
    poll_profile(gateway, sshd, host_key_fingerprint=fingerprint, stable_seconds=0.0)
    (remote["out"] / "order.edi").write_bytes(ORDER.read_bytes())
    poller = SftpPoller(gateway)

    outcome = poller.poll_partner(partner(gateway))

    assert outcome.status == "failed" and "HostKeyMismatch" in (outcome.error or "")
    assert (remote["out"] / "order.edi").exists()
    assert transmissions(gateway) == []
    health = poller.health()[PARTNER]
    assert health.state == "down" and health.failures == 1
    [down] = audit_events(gateway, "sftp_channel_down")
    assert down.subject_id == PARTNER and down.details["host_key_seen"] == sshd.fingerprint


def test_connection_failures_back_off_and_recovery_is_recorded(gateway, remote, sshd, clock):
    poll_profile(gateway, sshd, port=free_port(), stable_seconds=0.0)
    poller = SftpPoller(gateway)
    assert poller.poll_partner(partner(gateway)).status == "failed"
    first_wait = poller.health()[PARTNER].next_poll_at - clock()
    assert poller.poll_if_due(partner(gateway)) is None  # backing off
    clock.advance(seconds=first_wait.total_seconds() + 1)
    assert poller.poll_if_due(partner(gateway)).status == "failed"
    second_wait = poller.health()[PARTNER].next_poll_at - clock()
    assert second_wait > first_wait
    assert len(audit_events(gateway, "sftp_channel_down")) == 1  # a change is audited, not every retry

    poll_profile(gateway, sshd, stable_seconds=0.0)
    clock.advance(seconds=second_wait.total_seconds() + 1)
    outcome = poller.poll_if_due(partner(gateway))
    assert outcome is not None and outcome.status == "ok"
    health = poller.health()[PARTNER]
    assert (health.state, health.failures, health.last_error) == ("up", 0, None)
    assert [e.subject_id for e in audit_events(gateway, "sftp_channel_up")] == [PARTNER]


def test_files_can_be_moved_instead_of_deleted_after_pickup(gateway, remote, sshd):
    poll_profile(gateway, sshd, stable_seconds=0.0, after_pickup="move", move_to=str(remote["done"]))
    (remote["out"] / "order.edi").write_bytes(ORDER.read_bytes())
    assert len(SftpPoller(gateway).poll_partner(partner(gateway)).taken) == 1
    assert os.listdir(remote["out"]) == [] and os.listdir(remote["done"]) == ["order.edi"]


def test_a_failed_remote_clean_up_does_not_take_the_file_in_twice(gateway, remote, sshd):
    poll_profile(gateway, sshd, stable_seconds=0.0, after_pickup="move", move_to="/nonexistent/folder")
    (remote["out"] / "order.edi").write_bytes(ORDER.read_bytes())
    poller = SftpPoller(gateway)
    assert poller.poll_partner(partner(gateway)).status == "failed"
    assert poller.poll_partner(partner(gateway)).status == "failed"
    assert len(transmissions(gateway)) == 1  # downloaded twice, taken in once (idempotency key)


def test_only_one_node_polls_a_partner_at_a_time(gateway, remote, sshd, clock):
    poll_profile(gateway, sshd, stable_seconds=0.0)
    (remote["out"] / "order.edi").write_bytes(ORDER.read_bytes())
    first, second = DutyRunner(gateway), DutyRunner(gateway)  # two nodes
    try:
        assert polls(first.tick()) == [f"sftp-poll:{PARTNER}"]
        assert len(transmissions(gateway)) == 1
        (remote["out"] / "later.edi").write_bytes(ORDER.read_bytes().replace(b"ACME000123", b"LATER0001"))
        clock.advance(seconds=60)
        assert (
            polls(second.tick()) == [] and len(transmissions(gateway)) == 1
        )  # the first node holds the duty
        first.close()  # the holder stops (or dies): its lock goes with it
        assert polls(second.tick()) == [f"sftp-poll:{PARTNER}"]
        assert len(transmissions(gateway)) == 2
    finally:
        first.close()
        second.close()


def test_outgoing_file_is_uploaded_under_a_temporary_name_and_renamed(gateway, remote):
    item = OutboundFile(
        partner(gateway), "CONTRL", "7", "supplier-one_CONTRL_7.edi", b"UNA:+.? 'UNB+...'", "0" * 64, "ack"
    )
    details = deliver_sftp(gateway, item)
    assert details["mode"] == "poll" and details["path"].endswith("/in/supplier-one_CONTRL_7.edi")
    assert os.listdir(remote["in"]) == ["supplier-one_CONTRL_7.edi"]  # no temporary left behind
    assert (remote["in"] / "supplier-one_CONTRL_7.edi").read_bytes() == item.data


def test_outgoing_upload_to_an_unreachable_server_is_retried(gateway, remote, sshd):
    poll_profile(gateway, sshd, port=free_port())
    item = OutboundFile(partner(gateway), "CONTRL", "8", "x.edi", b"data", "0" * 64, "ack")
    with pytest.raises(DeliveryError):
        deliver_sftp(gateway, item)
