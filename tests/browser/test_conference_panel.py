"""Issue 19 in a real browser: the organisers' "what needs you now" panel on the conference
page, and a 200-character organisation name that keeps the delegations table on the screen."""

from __future__ import annotations

from .support import DESKTOP, PHONE, audit_page

SLUG = "global-alliance-2012"
LONG_SLUG = "long-names-2011"
LONG_NAME = "International " + "Organisation" * 15 + "x" * 6  # 200 characters, few spaces


def test_the_organiser_reads_what_needs_them_then_the_grouped_links(page, phone_page, sign_in):
    for current in (page, phone_page):
        sign_in(current, "organiser")
        current.goto(f"/conferences/{SLUG}")
        panel = current.get_by_role("region", name="What needs you now")
        assert panel.is_visible()
        due = panel.locator(".attention-due a")
        assert due.count() >= 1  # the seed has state delegations without a signatory
        assert "without a signatory" in panel.inner_text()
        for group in ("Registration and accreditation", "Declaration", "Communication"):
            assert current.get_by_role("navigation", name=group).is_visible(), group
        audit_page(current, "conference-panel")


def test_a_delegate_sees_the_links_but_not_the_panel(page, sign_in):
    sign_in(page, "delegate")
    page.goto(f"/conferences/{SLUG}")
    assert page.locator("section.attention").count() == 0
    assert page.get_by_role("navigation", name="Declaration").is_visible()


def test_a_long_organisation_name_keeps_the_table_on_screen(page, sign_in, server_app):
    """On a conference of its own: the seed's delegations stay as the other journeys read them."""
    from datetime import date

    from alliance_conf.conferences.models import Conference
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.extensions import db

    assert len(LONG_NAME) == 200
    with server_app.app_context():
        if db.session.scalar(db.select(Conference).filter_by(slug=LONG_SLUG)) is None:
            conference = create_conference(
                slug=LONG_SLUG,
                title="Conference with long names",
                city="Geneva",
                start_date=date(2011, 6, 2),
                end_date=date(2011, 6, 3),
            )
            create_delegation(conference, group="observer", organisation_name=LONG_NAME)
            create_delegation(conference, group="observer", organisation_name="Short")
            db.session.commit()
    sign_in(page, "organiser")
    page.set_viewport_size(DESKTOP)
    page.goto(f"/conferences/{LONG_SLUG}/delegations")
    region = page.locator(".table-scroll")
    widths = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1] + 1, f"the table overflows its region: {widths}"
    status = page.get_by_role("columnheader", name="Status")
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= DESKTOP["width"]
    page.set_viewport_size(PHONE)
    audit_page(page, "delegations-long-name")
