"""Notifications: what happened to a person, in the app and through the outbox.

Operations fire domain hooks (full powers, declaration opened, signature, amendment decided,
report returned, reviewed or overdue); ``reactions.py`` answers them by writing one
:class:`Notification` per recipient and, for most kinds, one e-mail in the recipient's language
with a link to the page concerned. Everyone sees their own notifications and nobody else's.
"""
