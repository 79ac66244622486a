"""`make run` on a machine with no services: SQLite, in-process tasks, the site served."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
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


def submit_the_form(base: str) -> dict:
    """Fill the lead form like a browser (cookies, CSRF); return the receipt it links to."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(base + "/", timeout=10).read().decode()
    hidden = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', page))
    data = {
        **hidden,
        "account_name": "Make Run",
        "phone": "+7 912 345-67-89",
        "email": "make-run@example.com",
        "consent_processing": "on",
        "consent_marketing": "on",
    }
    request = urllib.request.Request(
        base + "/", data=urllib.parse.urlencode(data).encode(), headers={"Referer": base + "/"}
    )
    thanks = opener.open(request, timeout=10)  # follows the 303
    text = thanks.read().decode()
    assert "Thank you" in text, text[:2000]
    receipt_path = re.search(r'href="(/privacy/receipts/[^"]+\.json)"', text).group(1)
    return json.loads(opener.open(base + receipt_path, timeout=10).read())


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
            if attempt == 0:
                # The whole submission on SQLite: people, receipt and the chain in Python.
                receipt = submit_the_form(f"http://127.0.0.1:{port}")
                places = [purpose["record"]["seq"] for purpose in receipt["purposes"]]
                assert places == [1, 2, 3]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        outputs.append(log.read_text())

    assert "Admin login: admin@example.com / " in outputs[0]
    assert "Admin login: admin@example.com / " in outputs[1]
    assert "Published Privacy Policy v1" in outputs[0]
    assert "Published" not in outputs[1]
    verify = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "verify_consent_log"],
        cwd=ROOT,
        env={**env, "DEBUG": "true"},  # as make run serves it
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "OK: 3 records, the chain is intact" in verify.stdout, verify.stdout + verify.stderr
