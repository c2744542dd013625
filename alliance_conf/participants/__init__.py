"""Participant lists, the accreditation dashboard, exports and bulk registration."""
