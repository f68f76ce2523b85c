"""Delivering our files to a partner over SFTP: the ``"sftp"`` entry of the delivery table.

A mailbox partner (``[sftp] mode = "mailbox"``) finds the file in ``/out`` of its mailbox on our
server; it is written under a hidden temporary name and renamed, so a partner listing ``/out`` at any
moment sees a file either complete or not at all. A polled partner (``mode = "poll"``) gets the file
uploaded to its ``upload_dir`` under a temporary name (``.<name>.part``) and renamed when complete, so
its own pick-up never reads half a file. Any failure raises :class:`~gateway.delivery.DeliveryError`;
the work item is retried with back-off and nothing is lost.
"""

from __future__ import annotations

import posixpath
from typing import Any

import paramiko

from gateway.channels.sftp_mailbox import OUTBOX, Mailbox, PathRefused
from gateway.channels.sftp_poller import remote_sftp
from gateway.context import Gateway
from gateway.delivery import DeliveryError, OutboundFile


def deliver_sftp(gw: Gateway, item: OutboundFile) -> dict[str, Any]:
    settings = item.partner.sftp
    if settings is None:
        raise DeliveryError(f"partner {item.partner.id} delivers over SFTP but has no [sftp] section")
    if settings.mode == "mailbox":
        try:
            Mailbox(gw.settings.data_dir, item.partner.id).write_atomically(OUTBOX, item.filename, item.data)
        except (OSError, PathRefused) as exc:
            raise DeliveryError(f"could not write /out/{item.filename}: {exc}") from exc
        return {"mode": "mailbox", "path": f"/out/{item.filename}", "size": len(item.data)}
    final = posixpath.join(settings.upload_dir, item.filename) if settings.upload_dir else item.filename
    temporary = posixpath.join(posixpath.dirname(final), f".{item.filename}.part")
    try:
        with remote_sftp(settings, gw.settings.data_dir) as sftp:
            with sftp.open(temporary, "wb") as remote:
                remote.set_pipelined(True)
                remote.write(item.data)
            if sftp.stat(temporary).st_size != len(item.data):
                raise DeliveryError(f"upload of {item.filename} arrived incomplete")
            try:
                sftp.posix_rename(temporary, final)
            except OSError:
                sftp.rename(temporary, final)  # servers without the OpenSSH extension
    except (OSError, paramiko.SSHException, EOFError) as exc:
        raise DeliveryError(f"SFTP upload to {settings.host}:{settings.port} failed: {exc}") from exc
    return {
        "mode": "poll",
        "host": settings.host,
        "port": settings.port,
        "path": final,
        "size": len(item.data),
    }
