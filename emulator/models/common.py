"""Helpers shared by the wire models: request-body readers that fail like ARM, etags, provisioning states."""

from __future__ import annotations

import uuid
from typing import Any

from .. import errors

SUCCEEDED = "Succeeded"
UPDATING = "Updating"
DELETING = "Deleting"
FAILED = "Failed"


def new_etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def _type_name(value: Any) -> str:
    return type(value).__name__


def as_object(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.invalid_request_format(path, f"Expected an object but found {_type_name(value)}.")
    return value


def opt_bool(obj: dict[str, Any], name: str, path: str) -> bool | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise errors.invalid_request_format(
            f"{path}.{name}", f"Error converting value {value!r} to type 'System.Boolean'."
        )
    return value


def opt_str(obj: dict[str, Any], name: str, path: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise errors.invalid_request_format(
            f"{path}.{name}", f"Error converting value {value!r} to type 'System.String'."
        )
    return value


def opt_str_list(obj: dict[str, Any], name: str, path: str) -> list[str] | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise errors.invalid_request_format(f"{path}.{name}", "Expected an array of strings.")
    return list(value)


def opt_id(obj: dict[str, Any], name: str, path: str) -> str | None:
    """The ``id`` of a SubResource property (``{"id": ...}``), or None when absent."""
    sub = obj.get(name)
    if sub is None:
        return None
    sub = as_object(sub, f"{path}.{name}")
    return opt_str(sub, "id", f"{path}.{name}")


def address_space(prefixes: list[str]) -> dict[str, Any]:
    return {"addressPrefixes": list(prefixes)}


def tags_of(body: dict[str, Any]) -> dict[str, str]:
    tags = body.get("tags")
    if tags is None:
        return {}
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise errors.invalid_request_format("tags", "Expected an object of strings.")
    return dict(tags)
