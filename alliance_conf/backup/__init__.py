"""Backups: one conference (core and every enabled plugin) to a versioned JSON file and back."""
