"""Acknowledgements for mailbox partners land in /out, whole or not at all, under a meaningful name."""

from __future__ import annotations

import os

import pytest

from gateway.channels.sftp_mailbox import INTERNAL_PREFIX, Mailbox
from gateway.channels.sftp_outbound import deliver_sftp
from gateway.delivery import DeliveryError, OutboundFile, _deliverers
from tests.gateway.test_sftp_support import ORDER, mailbox


def _item(gateway, partner_id="acme-retail", name="acme-retail_CONTRL_42_20260101T000000000000Z.edi"):
    profile = gateway.partners.get(partner_id)
    return OutboundFile(profile, "CONTRL", "42", name, b"UNA:+.? 'UNB+UNOC:3'", "0" * 64, "ack-id")


def test_sftp_is_a_registered_delivery_channel():
    assert _deliverers()["sftp"] is deliver_sftp


def test_a_mailbox_partner_finds_the_file_in_out_with_nothing_half_written_left(gateway):
    item = _item(gateway)
    details = deliver_sftp(gateway, item)
    out = mailbox(gateway) / "out"
    assert details == {"mode": "mailbox", "path": f"/out/{item.filename}", "size": len(item.data)}
    assert os.listdir(out) == [item.filename]
    assert (out / item.filename).read_bytes() == item.data
    assert (out / item.filename).stat().st_mode & 0o077 == 0


def test_our_temporary_files_are_never_listed_to_the_partner(gateway):
    box = Mailbox(gateway.settings.data_dir, "acme-retail")
    (box.root / "out" / f"{INTERNAL_PREFIX}1234-x.edi").write_bytes(b"half")
    box.write_atomically("out", "whole.edi", ORDER.read_bytes())
    assert [name for name, _info in box.entries("out")] == ["whole.edi"]


def test_a_partner_without_an_sftp_section_cannot_be_delivered_to(gateway):
    with pytest.raises(DeliveryError, match="no \\[sftp\\] section"):
        deliver_sftp(gateway, _item(gateway, "supplier-one"))


def test_the_processed_order_s_contrl_is_delivered_to_acme_s_out_folder(gateway, submit, drain):
    response = submit(ORDER.read_bytes())
    assert response.status_code == 202
    drain(gateway)
    [name] = os.listdir(mailbox(gateway) / "out")
    assert name.startswith("acme-retail_CONTRL_") and name.endswith(".edi")
