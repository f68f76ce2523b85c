"""`edigate serve --worker-processes N`: real child processes, started, woken, replaced and stopped.

The node tests run the real command on SQLite and PostgreSQL and look at the process tree in
``/proc`` and at the database; the pipe protocol (a byte wakes, end of file stops) is checked
against a small real child program and against a real `edigate worker`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway import worker_processes
from gateway.config import Settings
from gateway.database.models import WorkItem
from gateway.worker_processes import WAKE_OPTION, WorkerProcesses, worker_command
from tests.faults.nodes import Site, acme_order, post, site, wait_for

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the processes in /proc")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in listing.read_text().split()]
        except OSError:
            continue
    return sorted(found)


def _workers(pid: int, count: int, *, without: int | None = None) -> list[int]:
    def found() -> list[int] | None:
        children = _children(pid)
        return children if len(children) == count and without not in children else None

    besides = " besides the killed one" if without else ""
    return wait_for(found, f"serve to have {count} worker process(es){besides}")


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for a reaper that may not come here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def _owners(node: Site) -> dict[str, set[int]]:
    """Per kind of work, the pids of the processes that ran it (``host:pid:token``)."""
    owners: dict[str, set[int]] = {}
    for row in node.query(select(WorkItem.kind, WorkItem.lease_owner).where(WorkItem.state == "done")):
        owners.setdefault(row.kind, set()).add(int(row.lease_owner.split(":")[1]))
    return owners


def test_serve_processes_in_its_worker_processes_replaces_one_that_dies_and_stops_them(
    tmp_path: Path, database_url: str
) -> None:
    count = 1 if database_url.startswith("sqlite") else 2  # SQLite takes one (see the test below)
    with site(tmp_path / "data", database_url, EDIGATE_DEMO_AUTO_ACCEPT="false") as node:
        serve = node.serve(worker_processes=count)
        pid = serve.popen.pid
        children = _workers(pid, count)
        for child in children:
            command = _command_line(child)
            assert command[command.index("gateway.cli") + 1 :][:2] == ["worker", WAKE_OPTION]
            assert str(node.data_dir.resolve()) in command and database_url in command

        for n in range(4):
            assert post(node.base, acme_order(n)).status_code == 202
        node.wait_settled()
        assert set(node.statuses().values()) == {"processed"}
        ran = _owners(node)
        assert ran and set().union(*ran.values()) <= set(children)  # serve itself processed nothing

        os.kill(children[0], signal.SIGKILL)
        replaced = _workers(pid, count, without=children[0])
        assert set(children[1:]) <= set(replaced)
        for n in range(4, 10):
            assert post(node.base, acme_order(n)).status_code == 202
        node.wait_settled()
        statuses = node.statuses()
        assert len(statuses) == 10 and set(statuses.values()) == {"processed"}
        assert set().union(*_owners(node).values()) <= set(children) | set(replaced)

        serve.popen.send_signal(signal.SIGTERM)
        # uvicorn ends by raising the signal again once its shutdown is complete
        assert serve.popen.wait(timeout=90) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in serve.log.read_text()
        wait_for(lambda: not any(_running(child) for child in replaced), "the workers to stop with serve")


def test_workers_stop_by_themselves_when_serve_is_killed(tmp_path: Path) -> None:
    with site(tmp_path / "data", f"sqlite:///{tmp_path / 'edigate.db'}") as node:
        serve = node.serve(worker_processes=1)
        children = _workers(serve.popen.pid, 1)
        serve.popen.kill()
        serve.popen.wait(timeout=30)
        wait_for(lambda: not any(_running(child) for child in children), "the orphaned workers to stop")


def test_sqlite_is_refused_more_than_one_worker_process(tmp_path: Path) -> None:
    """Each worker on SQLite takes back at start what was left running; a second would take what
    the first holds. The node says so instead of starting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
    command = [sys.executable, "-m", "gateway.cli", "serve", "--data-dir", str(tmp_path / "data")]
    finished = subprocess.run(
        [*command, "--worker-processes", "2"], capture_output=True, text=True, env=env, timeout=60
    )
    assert finished.returncode == 2
    assert "SQLite takes one worker process; use PostgreSQL" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "data" / "edigate.db").exists()  # refused before anything was opened


def test_a_wake_up_reaches_every_child_and_closing_ends_them(tmp_path: Path) -> None:
    # Each child writes a line to a file named by its pid for each read of its input, and "eof" at
    # its end.
    program = (
        "import os\n"
        f"out = open(os.path.join({str(tmp_path)!r}, f'{{os.getpid()}}.txt'), 'w', buffering=1)\n"
        "while os.read(0, 4096):\n"
        "    out.write('woken\\n')\n"
        "out.write('eof\\n')\n"
    )
    work_available = threading.Event()
    children = WorkerProcesses([sys.executable, "-c", program], 2, work_available)
    children.start()
    outputs = [tmp_path / f"{pid}.txt" for pid in children.pids()]
    try:
        wait_for(lambda: all(path.exists() for path in outputs), "both children to start")
        assert not any(path.read_text() for path in outputs)
        work_available.set()
        wait_for(lambda: all("woken" in path.read_text() for path in outputs), "the wake-up to reach both")
        assert not work_available.is_set()  # taken by the forwarder
    finally:
        children.close()
    for path in outputs:
        assert path.read_text().splitlines()[-1] == "eof"
    assert not any(_running(pid) for pid in children.pids())


def test_a_child_that_exits_is_started_again_even_after_a_start_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_processes, "RESTART_FIRST_SECONDS", 0.05)
    monkeypatch.setattr(worker_processes, "RESTART_MAX_SECONDS", 0.1)
    starts = tmp_path / "starts"
    program = tmp_path / "child"  # notes its start and exits at once
    note = f"open({str(starts)!r}, 'a').write(f'{{os.getpid()}}\\n')"
    program.write_text(f"#!{sys.executable}\nimport os\n{note}\n")
    program.chmod(0o755)

    def started() -> int:
        return len(starts.read_text().split()) if starts.exists() else 0

    children = WorkerProcesses([str(program)], 1, threading.Event())
    children.start()
    try:
        wait_for(lambda: started() >= 2, "the exited child to be started again")
        away = program.rename(tmp_path / "away")  # the next starts fail: no such file
        time.sleep(1.5)  # a few failed starts (the watcher looks twice a second)
        before = started()
        away.rename(program)
        wait_for(lambda: started() > before, "a start once the program is back")
    finally:
        children.close()


def test_a_real_worker_stops_cleanly_at_the_end_of_its_input(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", demo=True)
    command = worker_command(settings)
    assert command[-1] == "--demo" and "--database-url" not in command  # derived, as serve's own
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGATE_")}
    worker = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    try:
        wait_for(lambda: (tmp_path / "data" / "edigate.db").exists(), "the worker to open its database")
        time.sleep(0.5)  # let it reach its loop; closing earlier must work as well, but later is the case
        assert worker.stdin is not None
        worker.stdin.write(b"\n")
        worker.stdin.close()
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
