"""Message and modal components as Discord handles them: numbering, finding, and modal submissions.

Type numbers: https://discord.com/developers/docs/components/reference#component-object-component-types
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT = 5, 6, 7, 8
SECTION, TEXT_DISPLAY, CONTAINER, LABEL, FILE_UPLOAD = 9, 10, 17, 18, 19
RADIO_GROUP, CHECKBOX_GROUP, CHECKBOX = 21, 22, 23
SELECTS = (STRING_SELECT, USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT)
LINK_BUTTON, PREMIUM_BUTTON = 5, 6

# A value a user can give a modal field: text, chosen values, a radio choice (or none), a checkbox.
FieldValue = str | list[str] | bool | None


def _children(component: dict[str, Any]) -> list[dict[str, Any]]:
    nested = list(component.get("components") or [])
    if isinstance(component.get("component"), dict):  # a label's single child
        nested.append(component["component"])
    if isinstance(component.get("accessory"), dict):  # a section's button or thumbnail
        nested.append(component["accessory"])
    return nested


def walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, depth first, parents before their children (the order Discord numbers them)."""
    for component in components:
        yield component
        yield from walk(_children(component))


def numbered(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy where every component has an `id`: Discord numbers those left without one from 1, in
    order, skipping the ids already taken."""
    result = copy.deepcopy(components)
    taken = {c["id"] for c in walk(result) if c.get("id") is not None}
    candidate = 1
    for component in walk(result):
        if component.get("id") is None:
            while candidate in taken:
                candidate += 1
            component["id"] = candidate
            taken.add(candidate)
    return result


def find(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in walk(components) if c.get("custom_id") == custom_id), None)


def option_values(component: dict[str, Any]) -> list[str]:
    return [option["value"] for option in component.get("options") or []]


def check_choice(component: dict[str, Any], values: list[str], what: str) -> None:
    """What Discord's client enforces on a select or checkbox group: a count and known options."""
    low = int(component.get("min_values", 1))
    high = int(
        component.get("max_values", 1 if component["type"] in SELECTS else len(option_values(component)))
    )
    if not values and component.get("required", True) is False:
        return
    if not low <= len(values) <= high:
        raise AssertionError(
            f"Discord's client would refuse {len(values)} value(s) for {what} ({low}–{high})"
        )
    if component["type"] in (STRING_SELECT, CHECKBOX_GROUP):
        unknown = [value for value in values if value not in option_values(component)]
        if unknown:
            raise AssertionError(f"Discord's client would refuse {unknown} for {what}: not among its options")


def modal_submission(
    modal: dict[str, Any], values: Mapping[str, FieldValue], *, client_checks: bool
) -> list[dict[str, Any]]:
    """The `components` of a MODAL_SUBMIT for `modal` (the bot's type-9 callback data) filled with
    `values` by custom_id, shaped as Discord sends them (discord.py's ModalSubmit*InteractionData)."""
    components = numbered(modal.get("components") or [])
    known = {c["custom_id"] for c in walk(components) if c.get("custom_id")}
    unknown = sorted(set(values) - known)
    if unknown:
        raise AssertionError(
            f"modal {modal.get('custom_id')!r} has no field {unknown}; it has {sorted(known)}"
        )
    return [_submitted(component, values, client_checks) for component in components]


def _submitted(component: dict[str, Any], values: Mapping[str, FieldValue], checks: bool) -> dict[str, Any]:
    kind = component["type"]
    if kind == ACTION_ROW:
        children = [_submitted(child, values, checks) for child in component.get("components") or []]
        return {"type": ACTION_ROW, "id": component["id"], "components": children}
    if kind == LABEL:
        inner = _submitted(component["component"], values, checks)
        return {"type": LABEL, "id": component["id"], "component": inner}
    if kind == TEXT_DISPLAY:
        return {"type": TEXT_DISPLAY, "id": component["id"]}
    custom_id = component["custom_id"]
    # A field the user leaves alone keeps what the bot prefilled or marked as default.
    given = values[custom_id] if custom_id in values else _prefilled(component)
    entry: dict[str, Any] = {"type": kind, "id": component["id"], "custom_id": custom_id}
    if kind == TEXT_INPUT:
        if checks:
            _check_text(component, given)
        entry["value"] = given
    elif kind == RADIO_GROUP:
        if checks:
            _check_radio(component, given)
        entry["value"] = given
    elif kind == CHECKBOX:
        entry["value"] = given
    else:  # selects, checkbox groups, file uploads: a list of values
        if checks:
            if not isinstance(given, list):
                raise AssertionError(f"{custom_id!r} takes a list of values, not {given!r}")
            if kind != FILE_UPLOAD:
                check_choice(component, given, repr(custom_id))
        entry["values"] = given
    return entry


def _prefilled(component: dict[str, Any]) -> FieldValue:
    kind = component["type"]
    if kind == TEXT_INPUT:
        return str(component.get("value") or "")
    if kind == CHECKBOX:
        return bool(component.get("default", False))
    defaults = [option["value"] for option in component.get("options") or [] if option.get("default")]
    if kind == RADIO_GROUP:
        return defaults[0] if defaults else None
    return defaults


def _check_text(component: dict[str, Any], text: Any) -> None:
    custom_id = component["custom_id"]
    if not isinstance(text, str):
        raise AssertionError(f"text input {custom_id!r} takes text, not {text!r}")
    if not text:
        if component.get("required", True):
            raise AssertionError(f"Discord's client would refuse to submit: {custom_id!r} is required")
        return
    low, high = component.get("min_length", 0), component.get("max_length", 4000)
    if not low <= len(text) <= high:
        raise AssertionError(
            f"Discord's client would refuse {len(text)} characters in {custom_id!r} ({low}–{high})"
        )


def _check_radio(component: dict[str, Any], value: Any) -> None:
    custom_id = component["custom_id"]
    if value is None:
        if component.get("required", True):
            raise AssertionError(f"Discord's client would refuse to submit: {custom_id!r} is required")
        return
    if value not in option_values(component):
        raise AssertionError(f"Discord's client would refuse {value!r} for {custom_id!r}: not an option")
