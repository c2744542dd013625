"""Every hook specification of alliance-conf, in one place.

Setup hooks are called once while the app is built; event hooks are fired by domain operations
after their change is flushed; provider hooks are asked for things (navigation items, slot
content). A plugin implements only the hooks it needs, each marked with ``@hookimpl``; a hook
implementation whose name matches no specification stops the app at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

PROJECT = "alliance_conf"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation. ``roles`` empty means every signed-in user.

    ``label`` is a lazy translation (``_l("Conferences")``): the item is built once, the label
    is read in each request's language."""

    label: str
    endpoint: str
    order: int = 100
    roles: frozenset[str] = field(default_factory=frozenset)
    anonymous: bool = False


@dataclass(frozen=True)
class SlotContent:
    """A template rendered into a named slot of a core page, with its own context."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class SignatureStatement:
    """A statement or reservation attached to a signature, on the whole text or one commitment."""

    kind: str  # "statement" or "reservation"
    text: str
    commitment_key: str | None = None


@dataclass(frozen=True)
class SignatureRow:
    """One active signature of a declaration, as documents and reports show it.

    ``endorsed_commitment_keys`` lists the commitments the delegation endorsed (all of them when
    it endorsed the whole text); ``signed_at`` is timezone-aware UTC.
    """

    delegation_id: int
    delegation_name: str
    country_code: str | None
    group: str
    signatory_name: str
    signatory_title: str
    signed_at: object
    endorsed_commitment_keys: tuple[str, ...]
    endorses_all: bool
    statements: tuple[SignatureStatement, ...] = ()
    verification_code: str = ""
    verification_url: str = ""


@dataclass(frozen=True)
class DocumentExporter:
    """A downloadable document a plugin offers.

    ``kind`` says what it is generated from ("declaration", "revision", "comparison",
    "participants", "reporting_round"...); ``generate(**kwargs)`` returns the file as bytes, built
    in memory. ``label`` is a lazy translation (``_l``), like a :class:`NavItem`'s.
    """

    name: str
    label: str
    kind: str
    extension: str
    content_type: str
    generate: object
    roles: frozenset[str] = frozenset({"organiser", "staff"})


class AllianceHookSpecs:
    # --- setup hooks -----------------------------------------------------------------------
    @hookspec
    def alliance_settings(self):
        """Return the plugin's settings as ``{NAME: default}`` (or ``Setting(default, parse)``).
        Defaults only: the core applies, once for every plugin, the instance file, then the
        environment variable of the same name, then ``create_app({...})``."""

    @hookspec
    def alliance_configure(self, app):
        """Prepare the app once the settings are applied (never read the environment here)."""

    @hookspec
    def alliance_blueprints(self, app):
        """Return a list of blueprints to register on the app."""

    @hookspec
    def alliance_cli_commands(self, app):
        """Return a list of click commands or groups to add to the ``flask`` CLI."""

    @hookspec
    def alliance_migration_dirs(self):
        """Return a list of Alembic version directories owned by this plugin."""

    # --- provider hooks --------------------------------------------------------------------
    @hookspec
    def alliance_nav_items(self, user):
        """Return a list of :class:`NavItem` for the navigation shown to ``user``."""

    @hookspec
    def alliance_template_slot(self, slot, context):
        """Return a :class:`SlotContent` (or a list of them) for the named template slot.

        The conference page has ``conference-overview`` (sections under the links) and four
        link groups, ``conference-links-registration``, ``-declaration``, ``-documents`` and
        ``-communication``, whose templates render ``<li>`` items (nothing when the reader has
        no such link); a group left empty is not shown."""

    # --- domain events ---------------------------------------------------------------------
    @hookspec
    def alliance_delegation_created(self, delegation, actor):
        """A delegation was added to a conference."""

    @hookspec
    def alliance_registration_status_changed(self, registration, old_status, new_status, actor):
        """A registration moved between accreditation states."""

    @hookspec
    def alliance_declaration_state_changed(self, declaration, old_state, new_state, actor):
        """A declaration moved between drafting states."""

    @hookspec
    def alliance_signature_recorded(self, signature, actor):
        """A delegation signed a declaration (signatures plugin). Runs after the signature is
        committed, in a transaction of its own (committed when the hook returns)."""

    @hookspec
    def alliance_signature_withdrawn(self, signature, actor):
        """A delegation withdrew its signature (signatures plugin). Runs after the commit, in a
        transaction of its own."""

    @hookspec
    def alliance_full_powers_granted(self, registration, powers, actor):
        """An organiser recorded full powers for ``registration`` (after flush, before commit)."""

    @hookspec
    def alliance_full_powers_revoked(self, registration, powers, actor):
        """An organiser revoked the full powers ``powers`` (their ``revocation_reason`` says
        why), after flush, before commit."""

    @hookspec
    def alliance_amendment_decided(self, amendment, decision, reason, actor):
        """An organiser decided ``amendment``: ``decision`` is ``"accepted"`` or
        ``"rejected"``; ``reason`` is the rejection's reason ("" when accepted)."""

    @hookspec
    def alliance_report_returned(self, report, comment, actor):
        """A submitted report went back to its delegation with ``comment`` (reporting plugin)."""

    @hookspec
    def alliance_report_reviewed(self, report, comment, actor):
        """A submitted report was marked reviewed, with an optional ``comment``."""

    @hookspec
    def alliance_report_overdue(self, report, actor):
        """A draft report is past its round's deadline and its delegation was reminded
        (fired with each overdue reminder; at most once a day per report)."""

    @hookspec
    def alliance_signature_rows(self, declaration):
        """Return the active signatures of ``declaration`` as a list of :class:`SignatureRow`."""

    @hookspec
    def alliance_document_exporters(self):
        """Return :class:`DocumentExporter` objects for the documents this plugin can produce."""

    @hookspec
    def alliance_declaration_can_reopen(self, declaration):
        """Return a reason (a string) why an open declaration must not go back to consultation
        (e.g. someone has signed it), or None. Any reason refuses the move and is shown."""

    # --- demo ------------------------------------------------------------------------------
    @hookspec
    def alliance_demo_load(self, conference, accounts):
        """Add this plugin's demo data to the seed conference; must be idempotent.

        ``accounts`` maps demo roles ("organiser", "staff", "head") to their users.
        """

    # --- backups ---------------------------------------------------------------------------
    @hookspec
    def alliance_backup_export(self, conference):
        """Return ``(name, data)``: this plugin's part of a backup of ``conference``.

        ``name`` is the plugin's entry-point name; ``data`` must be JSON-ready
        (``alliance_conf.backup.serialise.dump_rows`` turns rows into it).
        """

    @hookspec
    def alliance_backup_import(self, conference, data, id_map):
        """Restore this plugin's part (``data``, as exported) into the new ``conference``.

        Called only when the backup has a section for this plugin, after the core rows and
        before the audit events. ``id_map`` maps old ids to new ones per table
        (``alliance_conf.backup.serialise.load_rows`` uses and fills it). Flush, never commit.
        """
