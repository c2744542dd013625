"""What the browser tests share besides fixtures: accounts, page checks, axe-core, screenshots.

Checks are plain functions taking a Playwright ``Page`` so that feature journeys added later
(registration, declaration, signatures) call the same ones on every page they visit.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(
    os.environ.get("ALLIANCE_SCREENSHOT_DIR", PROJECT_ROOT / "test-artifacts" / "screenshots")
)
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("ALLIANCE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, message: str) -> None:
    """Missing browser tooling fails the run in CI and skips, with the reason, elsewhere."""
    if condition:
        return
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class Account:
    key: str
    email: str
    password: str
    full_name: str
    role: str


# The accounts the browser tests' server is seeded with (one per role).
ACCOUNTS = {
    "admin": Account(
        "admin", "admin@browser.example.org", "admin password 2026!", "Ada Admin", "admin"
    ),
    "organiser": Account(
        "organiser",
        "organiser@browser.example.org",
        "organiser password 2026!",
        "Olga Organiser",
        "organiser",
    ),
    "staff": Account(
        "staff", "staff@browser.example.org", "staff password 2026!", "Sam Staff", "staff"
    ),
    "delegate": Account(
        "delegate",
        "delegate@browser.example.org",
        "delegate password 2026!",
        "Dana Delegate",
        "delegate",
    ),
}


# --- page checks ------------------------------------------------------------------------------


def check_a11y(page, *, context: str = "") -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now.

    Fails listing every serious or critical violation; returns the minor and moderate ones so a
    test can look at them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # add_script_tag(path=...) inlines the file; the contexts bypass the CSP for test tooling.
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
                summary: v.nodes.map(n => n.failureSummary).slice(0, 3),
            }));
        }""",
        AXE_TAGS,
    )
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core found {len(blocking)} serious/critical violation(s) on {page.url}"]
        if context:
            lines[0] += f" ({context})"
        for v in blocking:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"    at {target}" for target in v["targets"])
            lines.extend(f"    {s}" for s in v["summary"] if s)
        pytest.fail("\n".join(lines), pytrace=False)
    return [v for v in result if v["impact"] not in BLOCKING_IMPACTS]


def check_structure(page) -> None:
    """Language set, exactly one h1, a title, and a skip link that leads to the main content."""
    info = page.evaluate(
        """() => ({
            lang: document.documentElement.getAttribute('lang'),
            h1: document.querySelectorAll('h1').length,
            title: document.title,
            skip: (() => {
                const a = document.querySelector('a.skip-link');
                if (!a) return null;
                const id = (a.getAttribute('href') || '').replace(/^#/, '');
                return {href: a.getAttribute('href'), target: !!document.getElementById(id),
                        first: document.querySelector('body a, body button, body input') === a};
            })(),
        })"""
    )
    assert info["lang"] and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", info["lang"]), info
    assert info["h1"] == 1, f"{page.url} has {info['h1']} h1 elements"
    assert info["title"].strip(), f"{page.url} has no title"
    assert info["skip"], f"{page.url} has no skip link"
    assert info["skip"]["target"], f"the skip link of {page.url} points nowhere"
    assert info["skip"]["first"], f"the skip link of {page.url} is not the first focusable element"


def check_skip_link_and_focus(page) -> None:
    """The first Tab shows the skip link with a visible focus style; Enter moves to <main>."""
    page.evaluate(
        """() => {
            const root = document.documentElement;
            root.setAttribute('tabindex', '-1');
            root.focus();
            root.removeAttribute('tabindex');
            window.scrollTo(0, 0);
        }"""
    )
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            const r = el.getBoundingClientRect();
            return {cls: el.className, outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
                    shadow: s.boxShadow, bg: s.backgroundColor,
                    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight};
        }"""
    )
    assert "skip-link" in str(focused["cls"]), f"first Tab on {page.url} reached {focused}"
    assert focused["visible"], f"the skip link of {page.url} stays hidden when focused"
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    active = page.evaluate("() => document.activeElement && document.activeElement.id")
    assert active == "main", f"the skip link of {page.url} moved focus to {active!r}"
    page.evaluate("() => history.replaceState(null, '', location.pathname + location.search)")


def assert_focus_visible(page) -> None:
    """The focused element draws a visible focus indicator (outline or ring)."""
    style = page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const s = getComputedStyle(el);
            return {tag: el.tagName, text: (el.textContent || '').trim().slice(0, 40),
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
                    shadow: s.boxShadow, matches: el.matches(':focus-visible')};
        }"""
    )
    assert style, f"nothing has the focus on {page.url}"
    ring = style["shadow"] not in ("", "none")
    outline = style["outline"] not in ("none", "") and style["width"] >= 2
    assert outline or ring, f"no visible focus style on {style} at {page.url}"


def check_no_horizontal_scroll(page) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll > width:
        culprits = page.evaluate(
            """(w) => {
                const clipped = (e) => {
                    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
                    }
                    return false;
                };
                return Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e))
                    .slice(0, 8)
                    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                              + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
            }""",
            width,
        )
        pytest.fail(f"{page.url} scrolls sideways at {width}px ({scroll}px wide): {culprits}")


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/screenshots/ (not committed)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def device_name(page) -> str:
    return "phone" if page.viewport_size["width"] < 600 else "desktop"


def audit_page(page, name: str) -> Path:
    """Every check a page gets in a journey: structure, axe, width, focus, then a screenshot."""
    check_structure(page)
    check_a11y(page, context=f"{name}, {device_name(page)}")
    if device_name(page) == "phone":
        check_no_horizontal_scroll(page)
    path = screenshot(page, f"{name}-{device_name(page)}")
    check_skip_link_and_focus(page)
    return path


def describe(obj) -> str:
    return json.dumps(obj, indent=2, default=str)


def invitation_link(server_app, email: str) -> str:
    """The personal link from the newest invitation e-mail to ``email``, as the outbox holds it."""
    import sqlalchemy as sa

    from alliance_conf.extensions import db
    from alliance_conf.mail.models import MailMessage

    with server_app.app_context():
        body = db.session.scalar(
            sa.select(MailMessage.body_text)
            .where(MailMessage.to_address == email)
            .order_by(MailMessage.id.desc())
        )
        db.session.remove()
    assert body, f"no e-mail to {email} in the outbox"
    match = re.search(r"https?://\S+(/register/[A-Za-z0-9_.\-]+)", body)
    assert match, body
    return match.group(1)
