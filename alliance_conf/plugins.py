"""The plugin engine: pluggy, entry-point discovery, per-plugin switch, isolation of failures."""

from __future__ import annotations

import enum
import importlib.util
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pluggy
from flask import Flask, current_app

from alliance_conf import hooks

ENTRY_POINT_GROUP = "alliance_conf.plugins"
EXTENSION_KEY = "alliance_plugins"
ALL_PLUGINS = "*"
log = logging.getLogger(__name__)


class PluginState(enum.StrEnum):
    enabled = "enabled"
    disabled = "disabled"
    failed = "failed"


@dataclass
class PluginInfo:
    name: str
    module: str
    distribution: str
    version: str
    state: PluginState
    error: str | None = None
    migrations: str | None = None  # <package>/migrations/versions, found without importing it


class PluginRegistry:
    """One per app: the pluggy manager plus what discovery found."""

    def __init__(self):
        self.manager = pluggy.PluginManager(hooks.PROJECT)
        self.manager.add_hookspecs(hooks.AllianceHookSpecs)
        self.plugins: dict[str, PluginInfo] = {}

    @property
    def hook(self):
        return self.manager.hook

    def register_core(self, module, name: str) -> None:
        self.manager.register(module, name=f"core.{name}")

    def discover(self, disabled: list[str]) -> None:
        disabled_set = set(disabled)
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist
            info = PluginInfo(
                name=ep.name,
                module=ep.value,
                distribution=dist.name if dist else "?",
                version=dist.version if dist else "?",
                state=PluginState.enabled,
            )
            self.plugins[ep.name] = info
            info.migrations = _migrations_dir(ep.value.split(":")[0])
            if ALL_PLUGINS in disabled_set or ep.name in disabled_set:
                info.state = PluginState.disabled
                continue
            try:
                module = ep.load()
                self.manager.register(module, name=ep.name)
            except Exception as exc:  # a broken plugin is blocked, never fatal
                info.state = PluginState.failed
                info.error = f"{type(exc).__name__}: {exc}"
                log.exception("plugin %r failed to load and is blocked", ep.name)
                if self.manager.has_plugin(ep.name):
                    self.manager.unregister(name=ep.name)
        self.manager.check_pending()

    def installed_migration_dirs(self) -> list[str]:
        """The Alembic version directory of every installed plugin, enabled, disabled or
        failed: switching a plugin off must not hide revisions the database already holds."""
        return [info.migrations for info in self.plugins.values() if info.migrations]

    def enabled_modules(self) -> list:
        """The module of every enabled plugin, in name order."""
        return [
            self.manager.get_plugin(name)
            for name, info in sorted(self.plugins.items())
            if info.state is PluginState.enabled and self.manager.get_plugin(name) is not None
        ]

    def enabled(self, name: str) -> bool:
        info = self.plugins.get(name)
        return info is not None and info.state is PluginState.enabled


def _migrations_dir(module: str) -> str | None:
    """``<package>/migrations/versions`` of a plugin package, located without running it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        versions = Path(location) / "migrations" / "versions"
        if versions.is_dir():
            return str(versions)
    return None


def init_plugins(app: Flask, core_modules) -> PluginRegistry:
    registry = PluginRegistry()
    for name, module in core_modules:
        registry.register_core(module, name)
    registry.discover(app.config["DISABLED_PLUGINS"])
    unknown = set(app.config["DISABLED_PLUGINS"]) - set(registry.plugins) - {ALL_PLUGINS}
    for name in sorted(unknown):
        log.warning("ALLIANCE_DISABLED_PLUGINS names %r, which is not an installed plugin", name)
    app.extensions[EXTENSION_KEY] = registry
    return registry


def get_registry(app: Flask | None = None) -> PluginRegistry:
    return (app or current_app).extensions[EXTENSION_KEY]


def hook():
    """The hook caller of the current app: ``hook().alliance_delegation_created(...)``."""
    return get_registry().hook


def plugin_enabled(name: str) -> bool:
    return get_registry().enabled(name)


def flatten(results) -> list:
    """Hook results are one value or a list per implementation; make them one flat list."""
    items = []
    for result in results:
        if result is None:
            continue
        if isinstance(result, list | tuple):
            items.extend(result)
        else:
            items.append(result)
    return items
