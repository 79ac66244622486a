"""`make run` as a newcomer tries it: no services (SQLite, in-process tasks), a port of their
choosing, every link in every e-mail and receipt opening a page on that port, the cookie banner
showing, and manage.py commands run by hand afterwards just working."""

import email
import email.policy
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
# The console mail backend writes each e-mail as a MIME document followed by a line of dashes.
CONSOLE_MAIL = re.compile(
    r"^MIME-Version: 1\.0\nContent-Type: multipart/.*?(?=^-{79}$)", re.M | re.S
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A visitor's browser without JavaScript: cookies, CSRF tokens from the page, redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(urllib.parse.urljoin(self.base, url), timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, url: str, data: dict, *, form_page: str | None = None) -> tuple[int, str]:
        """Post like the form on `form_page` (default: the page at `url`) would."""
        _status, page = self.get(form_page or url)
        hidden = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', page))
        absolute = urllib.parse.urljoin(self.base, url)
        request = urllib.request.Request(
            absolute,
            data=urllib.parse.urlencode({**hidden, **data}).encode(),
            headers={"Referer": absolute},
        )
        try:
            with self.opener.open(request, timeout=10) as response:  # follows the 303
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def mails_in(log: str) -> list[email.message.EmailMessage]:
    """The e-mails the console backend printed, parsed."""
    return [
        email.message_from_string(match.group(0), policy=email.policy.default)
        for match in CONSOLE_MAIL.finditer(log)
    ]


def links_in(message: email.message.EmailMessage) -> set[str]:
    links = set()
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            links |= set(re.findall(r"https?://[^\s\"'<>]+", part.get_content()))
    return links


def wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert process.poll() is None, log.read_text()
            time.sleep(0.3)
    raise AssertionError("make run did not serve in 90 s:\n" + log.read_text())


def test_make_run_on_any_port_serves_a_site_whose_every_link_works(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env_file = tmp_path / ".env"
    # A newcomer's shell: nothing of the test settings (mail backend, secrets, services) leaks in.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ENV_FILE=str(env_file),
        STAFF_ALERT_EMAILS="sales@example.com",
    )
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
            wait_until_serving(base, process, log)
            browser = Browser(base)
            status, home = browser.get("/")
            assert status == 200
            assert "Privacy Policy" in home
            # The demo shows the cookie banner, its scripts local stand-ins.
            assert 'id="cookie-banner"' in home
            assert 'id="cookie-banner" class="cookie-banner" aria-labelledby' in home
            assert "hidden" not in home.split('id="cookie-banner"')[1].split(">")[0]
            status, policy = browser.get("/privacy/")
            assert status == 200
            assert "2.4. The Site Administration does not verify" in policy
            status, health = browser.get("/healthz")
            assert (status, '"database": "ok"' in health) == (200, True)
            if attempt == 0:
                first_run(browser, base, port, log)
                key = env_file.read_text()
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        outputs.append(log.read_text())

    assert "Admin login: admin@example.com / " in outputs[0]
    assert "Admin login: admin@example.com / " in outputs[1]
    assert "Published Privacy Policy v1" in outputs[0]
    assert "Published" not in outputs[1]
    assert f"Wrote {env_file} for development" in outputs[0]
    assert "Wrote" not in outputs[1]
    assert env_file.read_text() == key  # written once, kept
    assert "DEBUG=true" in key and re.search(r"^SECRET_KEY=\S{50,}$", key, re.M)
    after_make_run(env, port)


def first_run(browser: Browser, base: str, port: int, log: Path) -> None:
    """Submit the lead form and a rights request; follow every link the e-mails carry."""
    status, thanks = browser.post(
        "/",
        {
            "account_name": "Make Run",
            "phone": "+7 912 345-67-89",
            "email": "make-run@example.com",
            "consent_processing": "on",
            "consent_marketing": "on",
        },
    )
    assert (status, "Thank you" in thanks) == (200, True), thanks[:2000]
    receipt_page = re.search(r'href="(/privacy/receipts/[^"]+/)"', thanks).group(1)
    receipt_json = re.search(r'href="(/privacy/receipts/[^"]+\.json)"', thanks).group(1)
    assert browser.get(receipt_page)[0] == 200
    receipt = json.loads(browser.get(receipt_json)[1])
    assert [purpose["record"]["seq"] for purpose in receipt["purposes"]] == [1, 2, 3]
    receipt_links = set(re.findall(r"https?://[^\s\"']+", json.dumps(receipt)))

    # An access request: the confirmation link, then the answer with the export link.
    status, _page = browser.post(
        "/privacy/requests/", {"kind": "access", "email": "anna@example.com"}
    )
    assert status == 200
    confirm = next(
        link
        for mail in mails_in(log.read_text())
        for link in links_in(mail)
        if "/privacy/requests/confirm/" in link
    )
    status, request_page = browser.post(confirm, {})
    assert (status, "Your request" in request_page) == (200, True)

    mails = mails_in(log.read_text())
    subjects = sorted(str(mail["Subject"]) for mail in mails)
    # Acknowledgment, staff alert, double opt-in; the rights confirmation, acknowledgment,
    # officer's alert and the answer with the export.
    assert len(mails) == 7, subjects
    links = set().union(*(links_in(mail) for mail in mails)) | receipt_links
    assert links, "e-mails carry links"
    stray = [link for link in links if link != base and not link.startswith(f"{base}/")]
    assert stray == [], f"links not on port {port}: {stray}"
    kinds = {re.sub(r"/[^/]{20,}/.*$", "/…", urllib.parse.urlsplit(link).path) for link in links}
    for expected in (
        "/privacy/confirm/…",  # double opt-in
        "/privacy/requests/confirm/…",
        "/privacy/requests/export/…",
        "/privacy/requests/",  # every e-mail to a person
        "/privacy/",
        "/privacy/consents/consent_processing/1/",
    ):
        assert expected in kinds, (expected, sorted(kinds))
    assert any("/admin/leads/lead/" in link for link in links)  # the staff alert
    visitor = Browser(base)  # a fresh browser: the links work from an e-mail client
    for link in sorted(links - {confirm}):  # the confirmation link is spent
        status, _page = visitor.get(link)
        assert status == 200, (link, status)


def after_make_run(env: dict[str, str], port: int) -> None:
    """Commands run by hand after `make run`, with nothing but its .env: they just work."""
    plain = {
        key: value
        for key, value in env.items()
        if key not in {"DEBUG", "SECRET_KEY", "PORT", "STANDIN_SCRIPTS", "STAFF_ALERT_EMAILS"}
    }

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
            cwd=ROOT,
            env=plain,
            capture_output=True,
            text=True,
            timeout=60,
        )

    verify = manage("verify_consent_log")
    assert "OK: 3 records, the chain is intact" in verify.stdout, verify.stdout + verify.stderr
    staff = manage(
        "create_staff", "reviewer@example.com", "--role", "lead-reviewer", "--no-password"
    )
    assert staff.returncode == 0, staff.stdout + staff.stderr
