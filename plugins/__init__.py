"""First-party plugins of alliance-conf, one package each, found through entry points."""
