"""No English escapes translation: every page a person can reach, rendered under the
pseudo-locale (each translated string comes back as ⟦…⟧), may show English only inside the
brackets or as data (names, titles and texts people typed, country names, dates).

Per role the crawler signs in and follows every same-site link from the home page (one page per
kind, as the browser crawl does), over the seed conference. A word counts as escaped English
when it stands outside the brackets, is not part of any data stored in the database, and is one
of the words the catalogues' English messages use (the interface's own vocabulary).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pycountry
import pytest
import sqlalchemy as sa
from babel import Locale
from babel.messages import pofile

from alliance_conf.i18n.pseudo import CLOSE, OPEN
from alliance_conf.testing.fixtures import base_test_config, migrate_to_heads

PROJECT = Path(__file__).resolve().parents[1]
PASSWORD = "pseudo locale password 2026!"
MAX_PAGES = 150
NOT_A_PAGE = re.compile(
    r"^/(api/|auth/logout|static/|language)|\.(csv|xlsx|docx|pdf|json|zip|png|svg|txt)$"
    r"|/download(/|$)"
)
BRACKETED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
WORD = re.compile("[A-Za-z][A-Za-z\u2019']+")
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "samp", "kbd"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
BRAND = "alliance-conf"


def page_kind(path: str) -> str:
    return "/".join(
        "{n}" if re.fullmatch(r"\d+|[A-Z0-9]{4}(-[A-Z0-9]{4})+", part) else part
        for part in path.split("/")
    )


def template_words() -> set[str]:
    """Words written straight into the templates' HTML (outside Jinja): interface text by
    definition, whether or not it was marked for translation."""
    words = set()
    for path in [
        *PROJECT.glob("alliance_conf/**/templates/**/*.html"),
        *PROJECT.glob("plugins/*/templates/**/*.html"),
    ]:
        source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", path.read_text("utf-8"), flags=re.S)
        source = re.sub(r"<(script|style)\b.*?</\1>|<[^>]*>|&\w+;", " ", source, flags=re.S)
        words |= {w.lower() for w in WORD.findall(source) if len(w) >= 3}
    return words


def interface_vocabulary() -> set[str]:
    """Every word (3 letters or more) of every English message in the catalogues, and of the
    templates' own text."""
    words = template_words()
    for path in PROJECT.glob("**/translations/*/LC_MESSAGES/messages.po"):
        if ".venv" in path.parts:
            continue
        with path.open("rb") as handle:
            for message in pofile.read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                for text in ids:
                    text = re.sub(r"%\(\w+\)[sd]|\{\w*\}", " ", text or "")
                    words |= {w.lower() for w in WORD.findall(text) if len(w) >= 3}
    return words


# Names of formats and standards, the same in every language.
TECHNICAL_WORDS = {
    "utc",
    "sha",
    "csv",
    "utf",
    "iso",
    "docx",
    "xlsx",
    "pdf",
    "json",
    "api",
    "openapi",
}


def calendar_words() -> set[str]:
    english = Locale.parse("en")
    words = set(TECHNICAL_WORDS)
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            words |= {m.lower() for m in english.months[context][width].values()}
            words |= {d.lower() for d in english.days[context][width].values()}
    return words


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}  # fmt: skip


def _is_compared_text(attributes: dict) -> bool:
    """The comparison page's declaration text (``article.declaration-text.diff``)."""
    classes = (attributes.get("class") or "").split()
    return "declaration-text" in classes and "diff" in classes


class PageText(HTMLParser):
    """The text a person reads: text nodes and the attributes read aloud or shown.

    The comparison page shows the declaration's text word by word (inserted and deleted
    segments), so no stored value appears whole there and data cannot be told from interface
    by matching it: inside that text only the elements that declare the interface's language
    again (``lang="{{ current_language() }}"``: statuses, badges) are read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.attributes: list[str] = []
        self._skipping = 0
        self._open: list[tuple[str, bool]] = []  # (tag, inside the compared text)

    def _compared(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in VOID_ELEMENTS:
            if _is_compared_text(attributes):
                compared = True
            elif attributes.get("lang"):
                compared = False
            else:
                compared = self._compared()
            self._open.append((tag, compared))
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        if self._compared():
            return
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.attributes.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
            self.attributes.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._skipping and not self._compared() and data.strip():
            self.parts.append(data)


def data_strings(app) -> list[str]:
    """Every text stored in the database (enum columns aside: their values are machine
    codes that a page must show through their translated titles), and every country name."""
    from alliance_conf.extensions import db

    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            if value.strip():
                found.add(value.strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [
                column
                for column in table.columns
                if isinstance(column.type, sa.String | sa.Text | sa.JSON)
                and not isinstance(column.type, sa.Enum)
            ]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)):
                walk(list(row))
    for country in pycountry.countries:
        found |= {
            getattr(country, n)
            for n in ("name", "common_name", "official_name")
            if hasattr(country, n)
        }
    found |= set(Locale.parse("en").territories.values())
    return sorted(found, key=len, reverse=True)


def strip_translated(text: str) -> str:
    """Remove every ⟦…⟧, innermost first (a translated string may hold another)."""
    while True:
        stripped = BRACKETED.sub(" ", text)
        if stripped == text:
            return stripped
        text = stripped


def escaped_words(html: str, data: list[str], vocabulary: set[str], allowed: set[str]) -> set[str]:
    """Interface words outside the brackets. The page's text is read as one (a translated
    sentence may hold a link or ``<code>``, so its brackets open and close in different text
    nodes); each attribute is read alone."""
    parser = PageText()
    parser.feed(html)
    escaped = set()
    for part in ["\n".join(parser.parts), *parser.attributes]:
        text = strip_translated(part)
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        text = text.replace(BRAND, " ")
        for match in WORD.finditer(text):
            lowered = match.group().lower()
            if lowered in vocabulary and lowered not in allowed:
                context = " ".join(text[max(0, match.start() - 40) : match.end() + 40].split())
                escaped.add(f"{match.group()!r} in {context!r}")
    return escaped


@pytest.fixture(scope="module")
def pseudo_app(tmp_path_factory):
    from alliance_conf import create_app
    from alliance_conf.auth.operations import create_user
    from alliance_conf.declarations.models import Declaration
    from alliance_conf.delegations.models import Delegation
    from alliance_conf.demo.operations import load_demo_story
    from alliance_conf.extensions import db
    from alliance_conf.registrations.operations import change_status, create_registration
    from plugins.signatures.operations import sign_declaration

    folder = tmp_path_factory.mktemp("pseudo")
    config = base_test_config("sqlite:///" + str(folder / "pseudo.db"))
    app = create_app({**config, "I18N_PSEUDO": True}, instance_path=str(folder / "instance"))
    migrate_to_heads(app)
    with app.app_context():
        demo = load_demo_story()  # the week: amendments, signatures, a reporting round
        accounts = {}
        for key, user in demo.accounts.items():
            user.set_password(PASSWORD)
            accounts[key] = user.email
        delegate = create_user(
            email="pseudo.delegate@example.org",
            full_name="Quim Xyzzy",
            password=PASSWORD,
            role="delegate",
        )
        belgium = db.session.scalar(
            sa.select(Delegation).filter_by(conference_id=demo.conference.id, country_code="BE")
        )
        registration = create_registration(
            belgium, delegate, privacy_accepted=True, position="Zyxw"
        )
        change_status(registration, "approved", actor=demo.accounts["organiser"])
        accounts["delegate"] = delegate.email
        admin = create_user(
            email="pseudo.admin@example.org", full_name="Vex Qorr", password=PASSWORD, role="admin"
        )
        accounts["admin"] = admin.email
        # The week opened the text (status board, plenary screen, signing are reachable);
        # Belgium's head signs too, so the head's own receipt is crawled.
        declaration = db.session.scalar(
            sa.select(Declaration).filter_by(conference_id=demo.conference.id)
        )
        assert declaration.state.value == "open"
        head = demo.accounts["head"]
        sign_declaration(declaration, actor=head, password=PASSWORD, typed_name=head.full_name)
        db.session.commit()
    app.config["PSEUDO_ACCOUNTS"] = accounts
    yield app
    with app.app_context():
        db.engine.dispose()


def crawl(client, start: str = "/") -> dict[str, str]:
    queue: deque[str] = deque([start])
    pages: dict[str, str] = {}
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        kind = page_kind(urlsplit(path).path)
        if kind in seen:
            continue
        seen.add(kind)
        response = client.get(path, follow_redirects=True)
        if response.status_code >= 400 or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        pages[path] = html
        for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', html):
            href = urldefrag(href.replace("&amp;", "&")).url
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or NOT_A_PAGE.search(parts.path):
                continue
            if page_kind(parts.path) not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


@pytest.mark.parametrize("role", ["visitor", "delegate", "head", "organiser", "staff", "admin"])
def test_no_page_shows_english_that_escaped_translation(pseudo_app, role):
    client = pseudo_app.test_client()
    if role != "visitor":
        email = pseudo_app.config["PSEUDO_ACCOUNTS"][role]
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
    pages = crawl(client)
    pages.update(crawl(client, "/auth/login") if role == "visitor" else {})
    assert len(pages) >= 3, sorted(pages)
    data = data_strings(pseudo_app)
    vocabulary = interface_vocabulary()
    allowed = calendar_words()
    problems = []
    for path, html in sorted(pages.items()):
        found = escaped_words(html, data, vocabulary, allowed)
        problems += [f"{path}: {item}" for item in sorted(found)]
    assert not problems, f"{len(problems)} untranslated strings:\n" + "\n".join(problems[:200])


def test_the_check_sees_a_string_that_escaped_translation():
    """The detector itself: bare interface English is found, bracketed text and data are not."""
    vocabulary = {"approve", "registration", "delegation"}
    html = (
        "<main><h1>⟦Approve the registration⟧</h1><p>Approve</p>"
        '<p title="Delegation list">Belgium</p><p>Registration of Zyx Delegation</p></main>'
    )
    found = escaped_words(html, ["Zyx Delegation"], vocabulary, set())
    assert {f.split(" in ")[0] for f in found} == {"'Approve'", "'Delegation'", "'Registration'"}
    split = "<p>⟦Import the ⟦registration⟧ file: <code>x</code> then approve it.⟧</p>"
    assert escaped_words(split, [], vocabulary, set()) == set(), "a sentence across elements"
