"""PostgreSQL goes away under load: clients are told 503 with Retry-After, never 500, and never 202
for something that was not stored; /readyz says not ready; once it is back, everything that got a
202 is processed.

A TCP proxy between a real `edigate serve` and the real PostgreSQL is cut (open connections reset,
new ones refused) while a client keeps POSTing orders. The shared test server itself is never
restarted here; bench/pg_restart.py does that on a machine of its own.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from tests.faults.nodes import acme_order, post, site, wait_for
from tests.faults.tcp_proxy import TcpProxy


class Client:
    """Posts one new order after another and writes down every answer."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.answers: list[tuple[str, int | None, httpx.Response | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            key = f"load-{n}"
            try:
                response = post(self.base, acme_order(1000 + n), idempotency_key=key)
            except httpx.TransportError:
                self.answers.append((key, None, None))
                continue
            self.answers.append((key, response.status_code, response))

    def count(self, status: int, since: int = 0) -> int:
        return sum(1 for _key, code, _r in self.answers[since:] if code == status)

    def __enter__(self) -> Client:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def test_database_cut_under_load_answers_503_and_loses_nothing(
    postgres: Any, tmp_path: Path
) -> None:
    real = make_url(postgres.new())
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    proxy.start()
    via_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    with site(tmp_path / "data", via_proxy, EDIGATE_DEMO_AUTO_ACCEPT="false") as node:
        node.serve()
        with Client(node.base) as client:
            wait_for(lambda: client.count(202) >= 3, "orders accepted before the cut")
            proxy.cut()
            cut_at = len(client.answers)
            wait_for(lambda: client.count(503, cut_at) >= 3, "503 answers while the database is away")
            ready = httpx.get(f"{node.base}/readyz", timeout=30)
            assert ready.status_code == 503 and "database" in ready.json()["failing"]
            proxy.restore()
            restored_at = len(client.answers)
            wait_for(lambda: client.count(202, restored_at) >= 3, "orders accepted after the restore")
        answers = client.answers
        unexpected = [(key, code, r and r.text) for key, code, r in answers if code not in (202, 503)]
        assert not unexpected
        for _key, code, response in answers:
            if code == 503:
                assert response is not None and response.headers["retry-after"].isdigit()
                assert "database is unavailable" in response.json()["detail"]
        accepted = {key: r.json()["id"] for key, code, r in answers if code == 202 and r is not None}
        # Every 202 is in the database: it is read here, not taken on trust.
        for key, message_id in accepted.items():
            assert node.id_for_key(key) == message_id
        # The client's part: a 503 means "try again", with the same Idempotency-Key.
        orders = {f"load-{n}": acme_order(1000 + n) for n in range(1, len(answers) + 1)}
        for key, code, _r in answers:
            if code == 503:
                retried = post(node.base, orders[key], idempotency_key=key)
                assert retried.status_code == 202, retried.text
                accepted[key] = retried.json()["id"]
        node.wait_settled()
        statuses = node.statuses()
        assert len(statuses) == len(accepted) == len(answers)
        assert {statuses[i] for i in accepted.values()} == {"processed"}
        assert httpx.get(f"{node.base}/readyz", timeout=30).status_code == 200
    proxy.cut()
