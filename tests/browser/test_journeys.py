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
    link = page.get_by_role(
        "link", name="Launch of the Global Alliance against Child Sexual Abuse Online"
    )
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


def _tab_to(page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element with ``element_id`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            assert_focus_visible(page)
            return
    raise AssertionError(f"#{element_id} cannot be reached with Tab on {page.url}")


def _field_error(page, field_id: str) -> str:
    """The error text tied to a field through aria-describedby; checks aria-invalid too."""
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true", f"#{field_id} is not marked invalid"
    ids = (field.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-error" in ids, f"#{field_id} is not described by its error"
    return page.locator(f"#{field_id}-error").inner_text()


def test_organiser_signs_in_with_the_keyboard_creates_a_conference_and_signs_out(
    any_page, accounts
):
    page = any_page
    device = device_name(page)
    organiser = accounts["organiser"]

    page.goto("/auth/login")
    audit_page(page, "sign-in")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator("body").focus()
    _tab_to(page, "email")
    page.keyboard.type(organiser.email)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.keyboard.type(organiser.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    status = page.get_by_role("status")
    assert f"Welcome, {organiser.full_name}." in status.inner_text()
    assert page.get_by_text("Organiser", exact=True).first.is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="New conference").is_visible()
    audit_page(page, "conferences-organiser")

    nav.get_by_role("link", name="New conference").click()
    page.wait_for_url(re.compile(r"/conferences/new$"))
    audit_page(page, "conference-form")

    slug = f"online-safety-{device}"
    page.get_by_label("Title").fill("Ministerial on online safety")
    page.get_by_label("Short name in addresses").fill(slug)
    page.get_by_label("First day").fill("2031-05-04")
    page.get_by_label("Last day").fill("2031-05-01")
    page.get_by_label("Time zone").fill("Nowhere/Land")
    page.get_by_role("button", name="Create conference").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Error: ")
    assert "required" in _field_error(page, "city").lower()
    assert page.locator("#title").get_attribute("aria-invalid") is None
    summary.get_by_role("link", name=re.compile("^City")).click()
    assert page.evaluate("() => document.activeElement.id") == "city"
    audit_page(page, "conference-form-errors")

    page.get_by_label("City").fill("Tallinn")
    page.get_by_role("button", name="Create conference").click()
    page.wait_for_load_state()
    assert "cannot end before it starts" in _field_error(page, "end_date")
    assert "not a known time zone" in _field_error(page, "timezone")
    assert page.locator("#city").get_attribute("aria-invalid") is None

    page.get_by_label("Last day").fill("2031-05-05")
    page.get_by_label("Time zone").fill("Europe/Tallinn")
    page.get_by_label("Co-chairs or hosts").fill(
        "Kaja Kallas, Prime Minister of Estonia\nAnother Chair, Minister of Justice"
    )
    page.get_by_role("button", name="Create conference").click()
    page.wait_for_url(re.compile(f"/conferences/{slug}$"))
    assert (
        "Conference “Ministerial on online safety” created."
        in page.get_by_role("status").inner_text()
    )
    main = page.locator("main").inner_text()
    assert "Kaja Kallas" in main and "4\u20135 May 2031" in main
    assert "EEST (Europe/Tallinn)" in main
    audit_page(page, "conference-created")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/auth/login$"))
    assert "You are signed out." in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="Sign in").is_visible()


def test_unknown_address_shows_a_helpful_404(any_page):
    page = any_page
    response = page.goto("/conferences/no-such-conference")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.get_by_role("link", name="Go to the list of conferences").is_visible()
    audit_page(page, "not-found")

    response = page.goto("/no/such/page")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    page.get_by_role("link", name="Go to the list of conferences").click()
    page.wait_for_url(re.compile(r"/$"))


def test_design_reference_components_work_without_surprises(any_page, sign_in):
    """Every component feature pages will use, checked before they use it."""
    page = any_page
    sign_in(page, "staff")
    page.goto("/design/")
    bar = page.locator(".conference-bar")
    assert "Times in" in bar.inner_text() and bar.locator(".chair").count() >= 2
    audit_page(page, "design-reference")

    table = page.get_by_role("table")
    table.get_by_role("link", name=re.compile("^Delegation")).click()
    page.wait_for_url(re.compile(r"sort=name&dir=desc"))
    header = page.get_by_role("columnheader", name=re.compile("^Delegation"))
    assert header.get_attribute("aria-sort") == "descending"
    assert page.get_by_role("row").nth(1).get_by_role("rowheader").inner_text() == "Viet Nam"

    pages = page.get_by_role("navigation", name="Pages of sample delegations")
    pages.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "sort=name" in page.url and "dir=desc" in page.url, "paging keeps the sort"
    current = pages.locator("[aria-current=page]")
    assert current.inner_text().strip().endswith("2")

    confirm_button = page.get_by_role("button", name="Yes, freeze the sample text")
    assert not confirm_button.is_visible(), "the action is hidden until asked for"
    page.locator("summary", has_text="Freeze the sample text").focus()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == (
        "Yes, freeze the sample text"
    ), "the keyboard reaches the confirmation right after opening it"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Confirmed." in page.get_by_role("status").first.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export sample CSV").click()
        message = page.locator(".export-form .progress-message")
        message.wait_for(state="visible")
        assert "Preparing the CSV file" in message.inner_text()
    assert download_info.value.suggested_filename == "sample-delegations.csv"
    page.wait_for_function(
        "() => document.querySelector('.export-form .progress-message').textContent"
        ".includes('download has started')"
    )

    page.get_by_role("button", name="Check the sample form").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Choose a function." in alert.inner_text()
    group = page.get_by_role("group", name="Function in the delegation")
    assert "stance" not in (group.get_attribute("aria-describedby") or "")
    assert "function-error" in group.get_attribute("aria-describedby")
    assert "required" in _field_error(page, "full_name").lower()
    audit_page(page, "design-form-errors")
