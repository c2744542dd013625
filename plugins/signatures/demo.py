"""Demo data: nothing is signed, but the Belgian head of delegation holds full powers."""

from __future__ import annotations

from alliance_conf.demo.operations import grant_demo_powers


def designate_demo_signatory(conference, accounts) -> None:
    grant_demo_powers(conference, accounts.get("head"), accounts.get("organiser"))
