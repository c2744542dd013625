"""Every page a person can reach, audited: not only the pages the journeys happen to visit.

For each role the crawler signs in through the form and follows every same-site link from the
home page, breadth first, visiting each kind of page once (numbers in the path stand for any id).
Every page must answer without an error, and pass axe-core (no serious or critical WCAG 2.1 A/AA
violation) and the structure checks at desktop width and again at 375 px.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from .support import DESKTOP, PHONE, check_a11y, check_structure

CRAWL_DELEGATE = "crawl.delegate@browser.example.org"
CRAWL_PASSWORD = "crawl delegate password 2026!"
MAX_PAGES = 120
# Downloads, the API, and links that change state or end the session are not pages to audit.
NOT_A_PAGE = re.compile(
    r"^/(api/|auth/logout|static/)|\.(csv|xlsx|docx|pdf|json|zip|png|svg|txt)$|/download(/|$)"
)


def page_kind(path: str) -> str:
    """One audit per kind of page: ids and codes in the path are interchangeable."""
    return "/".join(
        "{n}" if re.fullmatch(r"\d+|[A-Z0-9]{4}(-[A-Z0-9]{4})+", part) else part
        for part in path.split("/")
    )


@pytest.fixture(scope="module")
def crawl_delegate(server_app):
    """An approved member of the seed conference's Belgian delegation."""
    from alliance_conf.auth.operations import create_user, find_user_by_email
    from alliance_conf.conferences.models import Conference
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.extensions import db
    from alliance_conf.registrations.operations import change_status, create_registration

    from .support import ACCOUNTS

    with server_app.app_context():
        if find_user_by_email(CRAWL_DELEGATE) is None:
            organiser = find_user_by_email(ACCOUNTS["organiser"].email)
            conference = db.session.scalar(
                db.select(Conference).filter_by(slug="global-alliance-2012")
            )
            belgium = db.session.scalar(
                db.select(Delegation).filter_by(conference_id=conference.id, country_code="BE")
            )
            user = create_user(
                email=CRAWL_DELEGATE,
                full_name="Chris Crawler",
                password=CRAWL_PASSWORD,
                role="delegate",
            )
            registration = create_registration(
                belgium, user, privacy_accepted=True, position="Adviser"
            )
            change_status(registration, "approved", actor=organiser)
            db.session.commit()
    return CRAWL_DELEGATE, CRAWL_PASSWORD


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, f"{email} could not sign in"


def crawl(page, base_url: str) -> dict[str, str]:
    """Visit every kind of page reachable from the home page; audit each at both widths.

    Returns the kinds visited with the first address seen for each."""
    host = urlsplit(base_url).netloc
    queue: deque[tuple[str, str]] = deque([("/", "start")])
    seen: dict[str, str] = {}
    broken: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        path, source = queue.popleft()
        kind = page_kind(urlsplit(path).path)
        if kind in seen:
            continue
        seen[kind] = path
        # Asked first outside the page, so that a download is checked without being opened.
        response = page.request.get(path, max_redirects=5)
        if response.status >= 400:
            broken.append(f"{path} (linked from {source}) answered {response.status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.goto(path)
        if re.search(r"\bNone\b", page.inner_text("main")):
            broken.append(f"{path} shows Python's 'None' to a person")
        parts = [part.strip() for part in page.title().split(" · ")]
        if len(parts) != len(set(parts)):
            broken.append(f"{path} repeats itself in its title: {page.title()!r}")
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            check_structure(page)
            check_a11y(page, context=f"{path} at {viewport['width']}px")
        page.set_viewport_size(DESKTOP)
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.href)"
        ):
            href = urldefrag(href).url
            parts = urlsplit(href)
            if parts.netloc != host or NOT_A_PAGE.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if page_kind(parts.path) not in seen:
                queue.append((target, path))
    assert not broken, "links that lead nowhere:\n" + "\n".join(broken)
    return seen


@pytest.mark.parametrize("role", ["visitor", "delegate", "organiser", "staff"])
def test_every_reachable_page_passes_axe_at_both_widths(
    role, page, live_server, accounts, crawl_delegate
):
    if role == "delegate":
        _sign_in(page, *crawl_delegate)
    elif role != "visitor":
        _sign_in(page, accounts[role].email, accounts[role].password)
    seen = crawl(page, live_server)
    assert any(kind.startswith("/conferences/") for kind in seen), sorted(seen)
