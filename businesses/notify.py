"""Telling the people of the chamber journey what was decided, through the notification
machinery (bell and e-mail, as each person chose): one function per thing that happens, called
by the services after the write. Each is safe to call inside the service's transaction (the
telling happens on commit)."""

from __future__ import annotations


def signup_requested(membership) -> None:
    """A sign-up waits: tell those who decide it (the city's officers, else the admins)."""


def signup_decided(membership) -> None:
    """Tell the applicant whether they (and the association they proposed) were accepted."""


def interest_decided(registration) -> None:
    """Tell the registering association's staff the officers' answer."""


def match_proposed(proposal) -> None:
    """Tell the partnership's member cities' officers a chamber proposes a match."""


def match_decided(proposal) -> None:
    """Tell the proposing association's staff whether the match was accepted."""
