"""The design reference: every page component on one page, with sample data only.

For plugin and feature authors (what to use, how it looks) and for the browser tests, which
check every component with axe-core at desktop and phone width before the features use them.
"""
