"""zxcvbn's password advice in the reader's language.

zxcvbn returns its warnings and suggestions as fixed English sentences (its own gettext call has
no catalogue of ours); each is marked here so that it lands in our catalogue, and is looked up
by its English text. A sentence a newer zxcvbn adds is shown in English until it is added here.
"""

from __future__ import annotations

from alliance_conf.i18n import _l

_ADVICE = [
    _l("Use a few words, avoid common phrases."),
    _l("No need for symbols, digits, or uppercase letters."),
    _l("Add another word or two. Uncommon words are better."),
    _l("Straight rows of keys are easy to guess."),
    _l("Short keyboard patterns are easy to guess."),
    _l("Use a longer keyboard pattern with more turns."),
    _l('Repeats like "aaa" are easy to guess.'),
    _l('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    _l("Avoid repeated words and characters."),
    _l('Sequences like "abc" or "6543" are easy to guess.'),
    _l("Avoid sequences."),
    _l("Recent years are easy to guess."),
    _l("Avoid recent years."),
    _l("Avoid years that are associated with you."),
    _l("Dates are often easy to guess."),
    _l("Avoid dates and years that are associated with you."),
    _l("This is a top-10 common password."),
    _l("This is a top-100 common password."),
    _l("This is a very common password."),
    _l("This is similar to a commonly used password."),
    _l("A word by itself is easy to guess."),
    _l("Names and surnames by themselves are easy to guess."),
    _l("Common names and surnames are easy to guess."),
    _l("Capitalization doesn't help very much."),
    _l("All-uppercase is almost as easy to guess as all-lowercase."),
    _l("Reversed words aren't much harder to guess."),
    _l("Predictable substitutions like '@' instead of 'a' don't help very much."),
]
ADVICE = {advice._args[0]: advice for advice in _ADVICE}


def translated(sentence: str) -> str:
    """One of zxcvbn's sentences in the current language (unknown ones as they are)."""
    found = ADVICE.get(sentence)
    return str(found) if found is not None else sentence
