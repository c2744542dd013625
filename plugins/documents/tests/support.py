"""Helpers the documents tests import (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

CONTENT = {
    "title": "Declaration on safer children online",
    "preamble": [
        {"key": "gathered", "text": "We, the ministers gathered in Brussels,"},
        {"key": "concerned", "text": "Concerned by the growth of abuse material online,"},
    ],
    "commitments": [
        {
            "key": "victims",
            "title": "Identifying victims",
            "text": "Enhance efforts to identify victims and ensure they receive assistance.",
        },
        {
            "key": "offenders",
            "title": "Prosecuting offenders",
            "text": "Enhance efforts to investigate cases and prosecute offenders.",
        },
        {
            "key": "awareness",
            "title": "Raising awareness",
            "text": "Increase children's awareness of the risks they face online.",
        },
    ],
    "closing": [{"key": "follow-up", "text": "We will meet again in one year to take stock."}],
}
