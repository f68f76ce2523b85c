"""bench/soak.py keeps working: a short run over REST, SFTP and AS2 passes all of its checks.

The soak itself is for long runs on a machine of its own; this only keeps the script from rotting.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def test_a_short_soak_sends_on_every_channel_and_passes_its_checks() -> None:
    done = subprocess.run(
        [sys.executable, str(SOAK), "--seconds", "5", "--clients", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all checks passed" in done.stdout
    for channel in ("rest/edifact", "rest/x12", "rest/xml", "sftp/edifact", "as2/edifact"):
        assert channel in done.stdout, done.stdout
    assert "audit verify: intact" in done.stdout
