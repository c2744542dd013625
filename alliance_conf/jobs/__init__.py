"""Background jobs: work that must not hold a web worker (mail to thousands, big exports)."""
