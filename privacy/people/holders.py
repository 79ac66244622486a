"""What is held about a person, everywhere: the access export and erasure, with a registry.

Privacy never imports the apps that hold personal data of their own (leads). Each registers a
holder here from its AppConfig.ready(), like models with the admin site: an exporter (the
person's rows as JSON-ready dicts), an eraser (anonymise them, return counts) and, for
corrections, a corrector and the form that validates the fields it owns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from privacy.people.models import Person


@dataclass(frozen=True)
class PersonalDataHolder:
    """An app's part of a person's data."""

    name: str
    export: Callable[[Person], dict[str, Any]]
    erase: Callable[[Person], dict[str, int]]
    # Correction (6.1.2): the current values of the fields it owns, and a function applying
    # cleaned values, returning [(field, before, after)] for what actually changed.
    correction_initial: Callable[[Person], dict[str, str]] | None = None
    correct: Callable[[Person, dict[str, str]], list[tuple[str, str, str]]] | None = None
    # What erase would touch, with the same keys and counts, for the officer's confirmation.
    count: Callable[[Person], dict[str, int]] | None = None


_holders: dict[str, PersonalDataHolder] = {}
# The form validating a correction (the fields the lead form collects, its rules); registered
# by the app that owns those rules, so corrections and submissions validate alike.
_correction_form: list[type] = []


def holder_register(holder: PersonalDataHolder) -> None:
    _holders[holder.name] = holder


def holders() -> list[PersonalDataHolder]:
    return list(_holders.values())


def correction_form_register(form_class: type) -> None:
    _correction_form[:] = [form_class]


def correction_form_class() -> type | None:
    return _correction_form[0] if _correction_form else None
