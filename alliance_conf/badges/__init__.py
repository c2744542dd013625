"""Accreditation badges (PDF, A6, with a signed QR code) and check-in at the door."""
