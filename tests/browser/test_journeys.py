"""Journeys through today's pages in a real browser, each page audited at desktop and phone width.

Every page a journey reaches goes through ``audit_page``: one h1, ``lang`` set, a working skip
link, a visible focus ring, no serious or critical axe-core violation (WCAG 2.1 A/AA), no
sideways scrolling at 375 px, and a screenshot in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

from .support import assert_focus_visible, audit_page, device_name

SEED = "/conferences/global-alliance-2012"


def test_visitor_sees_conferences_and_the_seed_conference(any_page):
    page = any_page
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Conferences"
    link = page.get_by_role("link", name="Launch of the Global Alliance against Child Sexual Abuse Online")
    assert link.is_visible()
    assert page.get_by_text("Registration open").first.is_visible()
    audit_page(page, "conferences")

    link.click()
    page.wait_for_url(re.compile(SEED + "$"))
    assert page.get_by_role("heading", name=re.compile(r"Delegations \(49\)")).is_visible()
    header = page.locator("main")
    assert "Eric Holder" in header.inner_text()
    assert "Cecilia Malmström" in header.inner_text()
    assert "CET (Europe/Brussels)" in header.inner_text()
    assert "5 December 2012" in header.inner_text()
    audit_page(page, "conference")
