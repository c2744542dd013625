"""Real-browser fixtures: the app under gunicorn on a loopback port, driven by Debian's Chromium.

The server gets its own SQLite file, migrated and seeded once per session, with known accounts.
Browser tests do not use the ``app`` fixture, so they run once, not once per database.
Tooling that is missing (Playwright, /usr/bin/chromium, node_modules/axe-core) skips these tests
with the reason locally and fails them in CI (``CI=true``): ``make test`` installs all three.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from alliance_conf.testing.fixtures import TEST_SIGNING_KEY, base_test_config, migrate_to_heads

from .support import (
    ACCOUNTS,
    AXE_SCRIPT,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    PROJECT_ROOT,
    Account,
    require,
)

SERVER_START_TIMEOUT = 30
BROWSER_DIR = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs in Chromium (deselect with -m 'not browser')")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_database(url: str, instance: str) -> None:
    """Migrate, load the seed conference as ``flask demo load`` does (its week included:
    amendments, signatures, a reporting round, so the crawl reaches their pages) and create
    the known accounts."""
    from alliance_conf import create_app
    from alliance_conf.auth.operations import create_user
    from alliance_conf.demo.operations import load_demo_story
    from alliance_conf.extensions import db

    app = create_app(base_test_config(url), instance_path=instance)
    migrate_to_heads(app)
    with app.app_context():
        load_demo_story()
        for account in ACCOUNTS.values():
            create_user(
                email=account.email,
                full_name=account.full_name,
                password=account.password,
                role=account.role,
            )
        db.session.commit()
        db.engine.dispose()


def _wait_until_ready(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(url + "/auth/login", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn did not answer within {SERVER_START_TIMEOUT}s:\n{log_path.read_text()}"
    )


@pytest.fixture(scope="session")
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="alliance-browser-"))


@pytest.fixture(scope="session")
def live_database_url(_workdir) -> str:
    """The server's SQLite database, migrated and seeded; journeys may prepare data in it."""
    database_url = "sqlite:///" + str(_workdir / "browser.db")
    _prepare_database(database_url, str(_workdir / "setup-instance"))
    return database_url


@pytest.fixture(scope="session")
def live_server(_workdir, live_database_url):
    """Base URL of the app served by gunicorn (wsgi:app) on 127.0.0.1:<free port>."""
    workdir = _workdir
    database_url = live_database_url
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SIGNATURES_SIGNING_KEY": TEST_SIGNING_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        # WebAuthn refuses IP addresses as relying party ids: the passkey journey uses localhost.
        "WEBAUTHN_RP_ID": "localhost",
        "WEBAUTHN_ORIGINS": f"http://localhost:{port}",
        "ALLIANCE_ENV": "development",
        "PYTHONUNBUFFERED": "1",
        # Every journey signs in through the form from 127.0.0.1: the production limit
        # (10 a minute per address) stays on, only wider than a whole test session needs.
        "RATELIMIT_SIGN_IN": "300 per minute",
    }
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--graceful-timeout",
                "2",
                "--access-logfile",
                "-",
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url, process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def accounts() -> dict[str, Account]:
    return ACCOUNTS


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python is not installed (pip install -e '.[test]')")
    require(
        os.access(CHROMIUM, os.X_OK),
        f"{CHROMIUM} is missing: run `make services` as root (apt-get install chromium)",
    )
    require(AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `npm ci` at the project root")
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    """Debian's Chromium, headless; Playwright never downloads a browser here."""
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


def _new_page(browser, live_server, **options):
    # bypass_csp: axe-core is injected as an inline script, which a strict CSP would forbid.
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, locale="en-GB", reduced_motion="reduce", **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop page (1280 x 800) in a fresh context: no cookies, nobody signed in."""
    context, page = _new_page(browser, live_server, viewport=DESKTOP)
    yield page
    context.close()
    assert not page.js_errors, f"JavaScript errors: {page.js_errors}"


@pytest.fixture
def phone_page(browser, live_server):
    """A phone page (375 x 812, touch, mobile viewport rules) in a fresh context."""
    context, page = _new_page(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    context.close()
    assert not page.js_errors, f"JavaScript errors: {page.js_errors}"


@pytest.fixture(params=["desktop", "phone"])
def any_page(request):
    """The same journey at desktop and at phone width."""
    return request.getfixturevalue("page" if request.param == "desktop" else "phone_page")


@pytest.fixture
def sign_in(accounts):
    """Sign ``user`` (an Account or its key) in through the real form, as a person would."""

    def do_sign_in(page, user):
        account = accounts[user] if isinstance(user, str) else user
        page.goto("/auth/login")
        page.get_by_label("E-mail").fill(account.email)
        page.get_by_label("Password", exact=True).fill(account.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert page.get_by_text(account.full_name).first.is_visible(), page.content()[:2000]
        return account

    return do_sign_in


@pytest.fixture(scope="module")
def server_app(live_database_url, tmp_path_factory):
    """An app bound to the live server's database, to prepare data and read the outbox."""
    from alliance_conf import create_app
    from alliance_conf.testing.fixtures import base_test_config

    app = create_app(
        base_test_config(live_database_url),
        instance_path=str(tmp_path_factory.mktemp("server-app-instance")),
    )
    yield app
    with app.app_context():
        from alliance_conf.extensions import db

        db.engine.dispose()
