"""`make run` on a machine with no services: SQLite, in-process tasks, the site served."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_serves_the_site_without_any_service(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
        and not key.startswith("DJANGO_")
    }
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    outputs = []
    for attempt in range(2):  # running it twice is harmless
        log = tmp_path / f"run-{attempt}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                ["make", "run"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    status, home = get(f"http://127.0.0.1:{port}/")
                    break
                except OSError:
                    assert process.poll() is None, log.read_text()
                    time.sleep(0.3)
            else:
                raise AssertionError("make run did not serve in 90 s:\n" + log.read_text())
            assert status == 200
            assert "Privacy Policy" in home
            status, policy = get(f"http://127.0.0.1:{port}/privacy/")
            assert status == 200
            assert "2.4. The Site Administration does not verify" in policy
            status, health = get(f"http://127.0.0.1:{port}/healthz")
            assert status == 200
            assert '"database": "ok"' in health
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        outputs.append(log.read_text())

    assert "Admin login: admin@example.com / " in outputs[0]
    assert "Admin login: admin@example.com / " in outputs[1]
    assert "Published Privacy Policy v1" in outputs[0]
    assert "Published" not in outputs[1]
