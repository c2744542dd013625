"""alliance-conf: run a ministerial conference from invitation to signed declaration."""

__version__ = "0.1.0"

from alliance_conf.app import create_app

__all__ = ["__version__", "create_app"]
