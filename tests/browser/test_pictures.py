"""The pictures in a real browser: the reporting round's heat-map fits a 1280 px screen and keeps
its header row in view, the signature board's world map and bars, and the dashboard's bars.
Each page is audited (axe-core, structure, focus, no sideways scrolling) at 1280 and 375 px."""

from __future__ import annotations

import sqlalchemy as sa

from .support import DESKTOP, PHONE, audit_page

SEED = "global-alliance-2012"


def audit_both(page, name: str) -> None:
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        audit_page(page, name)
    page.set_viewport_size(DESKTOP)


def sign_in(page, account) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url


def seed_ids(server_app) -> tuple[int, int]:
    from alliance_conf.conferences.models import Conference
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.extensions import db
    from plugins.reporting.models import ReportingRound

    with server_app.app_context():
        conference = db.session.scalar(sa.select(Conference).filter_by(slug=SEED))
        declaration = db.session.scalar(
            sa.select(Declaration).filter_by(conference_id=conference.id).order_by(Declaration.id)
        )
        round_id = db.session.scalar(
            sa.select(ReportingRound.id).filter_by(declaration_id=declaration.id)
        )
        return declaration.id, round_id


HEATMAP = "heatmap-2011"


def wide_round(server_app, organiser_email: str) -> int:
    """A round of its own covering the seed's 49 delegations (nothing signed there, so every
    delegation reports on every commitment): the seed's own round covers its 8 signatories."""
    from datetime import date

    from alliance_conf.auth.operations import find_user_by_email
    from alliance_conf.conferences.models import Conference
    from alliance_conf.conferences.operations import create_conference
    from alliance_conf.declarations.demo import seed_content
    from alliance_conf.declarations.operations import create_declaration
    from alliance_conf.delegations.operations import create_delegation
    from alliance_conf.demo.operations import load_seed_data
    from alliance_conf.extensions import db
    from plugins.reporting.models import ReportingRound
    from plugins.reporting.rounds import open_round

    with server_app.app_context():
        conference = db.session.scalar(sa.select(Conference).filter_by(slug=HEATMAP))
        if conference is None:
            organiser = find_user_by_email(organiser_email)
            seed = load_seed_data()
            conference = create_conference(
                slug=HEATMAP,
                title="Heat-map rehearsal",
                city="Brussels",
                start_date=date(2011, 12, 5),
                end_date=date(2011, 12, 6),
            )
            for group, codes in seed["delegations"].items():
                for code in codes:
                    create_delegation(conference, group=group, country_code=code)
            content = seed_content(seed)
            declaration = create_declaration(
                conference, title=content["title"], content=content, actor=organiser
            )
            open_round(
                declaration,
                title="Rehearsal round",
                period_start=date(2012, 1, 1),
                period_end=date(2012, 12, 31),
                deadline=date(2013, 3, 31),
                actor=organiser,
            )
            db.session.commit()
        return db.session.scalar(
            sa.select(ReportingRound.id).where(ReportingRound.conference_id == conference.id)
        )


def test_heat_map_fits_the_screen_and_keeps_its_header(page, accounts, server_app):
    round_id = wide_round(server_app, accounts["organiser"].email)
    sign_in(page, accounts["organiser"])
    page.goto(f"/reporting/rounds/{round_id}")
    table = page.locator("table.heatmap")
    rows = table.locator("tbody tr").count()
    columns = table.locator("thead th.heat-col").count()
    assert rows >= 49 and columns >= 4
    assert table.locator("td.heat-cell").count() == rows * columns
    sizes = page.evaluate(
        """() => {
            const t = document.querySelector('table.heatmap');
            const col = document.querySelector('table.heatmap th.heat-col');
            return {page: document.documentElement.scrollWidth, right: t.getBoundingClientRect().right,
                    main: document.querySelector('main .wrap, main').getBoundingClientRect().right,
                    col: col.getBoundingClientRect().width};
        }"""
    )
    assert sizes["page"] <= DESKTOP["width"]
    # Room for two more commitments (50 x 6) without scrolling sideways.
    assert sizes["right"] + 2 * sizes["col"] <= sizes["main"]
    # Scrolled to the last delegation, the header row is still at the top of the window.
    table.locator("tbody tr").last.scroll_into_view_if_needed()
    top = page.evaluate(
        "() => document.querySelector('table.heatmap thead th').getBoundingClientRect().top"
    )
    assert -1 <= top <= 1, top
    first_cell = table.locator("td.heat-cell").first
    assert first_cell.get_attribute("title")
    page.evaluate("() => window.scrollTo(0, 0)")
    audit_both(page, "reporting-heat-map")


def test_board_map_and_dashboard_bars(page, accounts, server_app):
    declaration_id, _round = seed_ids(server_app)
    sign_in(page, accounts["organiser"])
    page.goto(f"/declarations/{declaration_id}/signatures")
    world = page.locator("svg.world-map")
    assert world.get_attribute("role") == "img"
    box = world.bounding_box()
    assert box["width"] > 800  # the map uses the page's width
    belgium = world.locator('path[data-code="BE"]')
    assert belgium.locator("title").text_content() in ("Belgium: Signed", "Belgium: Not yet signed")
    assert page.locator("ul.progress-bars li").count() >= 2
    audit_both(page, "signature-board-map")
    page.set_viewport_size(PHONE)
    assert world.bounding_box()["width"] <= PHONE["width"]
    page.set_viewport_size(DESKTOP)

    page.goto(f"/conferences/{SEED}/dashboard")
    assert page.locator("ul.registration-bars li").count() >= 2
    audit_both(page, "dashboard-bars")
