"""Check the translation files against English, and English against the code.

Home Assistant (checked in 2026.10, `homeassistant/helpers/translation.py`)
shows English for every key a language file lacks. It also drops, with a logged
error, each translated string whose placeholders differ from the English one.
These tests need no Home Assistant instance.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import string
from typing import Any

import pytest

from custom_components.cxengage.api import CxEngageError
from custom_components.cxengage.connection import (
    CONNECTION_ERRORS,
    connection_error_key,
)
from custom_components.cxengage.repairs import (
    AGENT_ISSUE,
    FORBIDDEN_ISSUE,
    QUEUE_ISSUE,
    STATISTIC_ISSUE,
)
from custom_components.cxengage.sensor import (
    KNOWN_STATISTICS,
    SENSOR_DESCRIPTIONS,
    _translation_key,
)

PACKAGE = Path(__file__).parents[1] / "custom_components" / "cxengage"
TRANSLATIONS = PACKAGE / "translations"

# The languages this integration must ship. The other tests check every file present.
REQUIRED_LANGUAGES = ("de", "es", "fr", "it", "nl")
LANGUAGES = sorted(
    path.stem for path in TRANSLATIONS.glob("*.json") if path.stem != "en"
)

# A statistic missing from KNOWN_STATISTICS, which gets the generic names.
UNKNOWN_STATISTIC = "not-a-known-statistic"

FIXABLE_ISSUES = (STATISTIC_ISSUE, QUEUE_ISSUE, AGENT_ISSUE)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the fixture of tests/conftest.py, which starts Home Assistant."""


def load(language: str) -> dict[str, Any]:
    """Return the parsed translation file of one language."""
    text = (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def flatten(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return every leaf of a nested translation dict by its dotted key path."""
    leaves: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            leaves.update(flatten(value, path))
        else:
            leaves[path] = value
    return leaves


def placeholders(text: str) -> set[str]:
    """Return the `{name}` placeholders of a string, parsed as Home Assistant does."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


ENGLISH = flatten(load("en"))


@pytest.mark.parametrize("language", REQUIRED_LANGUAGES)
def test_required_language_exists(language: str) -> None:
    assert (TRANSLATIONS / f"{language}.json").is_file(), f"{language}.json is missing"


@pytest.mark.parametrize("language", LANGUAGES)
def test_keys_match_english(language: str) -> None:
    paths = set(flatten(load(language)))

    missing = sorted(set(ENGLISH) - paths)
    extra = sorted(paths - set(ENGLISH))
    assert not missing, f"{language}.json lacks keys that en.json has: {missing}"
    assert not extra, f"{language}.json has keys that en.json lacks: {extra}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_order_matches_english(language: str) -> None:
    paths = [path for path in flatten(load(language)) if path in ENGLISH]
    english_order = [path for path in ENGLISH if path in paths]
    assert paths == english_order, f"{language}.json orders its keys unlike en.json"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_english(language: str) -> None:
    translated = flatten(load(language))

    mismatched = [
        f"{path}: {sorted(placeholders(text))} != {sorted(placeholders(ENGLISH[path]))}"
        for path, text in translated.items()
        if path in ENGLISH and placeholders(text) != placeholders(ENGLISH[path])
    ]
    assert not mismatched, f"{language}.json placeholders differ: {mismatched}"


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_values_are_non_empty_strings(language: str) -> None:
    leaves = flatten(load(language))

    not_strings = [path for path, value in leaves.items() if not isinstance(value, str)]
    empty = [path for path, value in leaves.items() if not str(value).strip()]
    assert not not_strings, f"{language}.json has non-string values at {not_strings}"
    assert not empty, f"{language}.json has empty values at {empty}"


def sensor_translation_keys() -> set[str | None]:
    """Return every translation key that the sensor platform can give a sensor."""
    keys: set[str | None] = set()
    for statistic in [*KNOWN_STATISTICS, UNKNOWN_STATISTIC]:
        for descriptions in SENSOR_DESCRIPTIONS.values():
            keys.update(
                _translation_key(statistic, description) for description in descriptions
            )
    return keys


@pytest.mark.parametrize("key", sorted(sensor_translation_keys(), key=str))
def test_sensor_key_has_name(key: str | None) -> None:
    assert key is not None, "a sensor description yields no translation key"
    assert f"entity.sensor.{key}.name" in ENGLISH, f"en.json does not name {key}"


def test_no_unused_sensor_names() -> None:
    named = {
        path.split(".")[2] for path in ENGLISH if path.startswith("entity.sensor.")
    }
    unused = sorted(named - sensor_translation_keys())
    assert not unused, f"en.json names sensors that no statistic creates: {unused}"


def source_trees() -> Iterator[ast.Module]:
    """Yield the syntax tree of each module of the integration."""
    for path in sorted(PACKAGE.glob("*.py")):
        yield ast.parse(path.read_text(encoding="utf-8"))


def string_value(node: ast.expr) -> str | None:
    """Return the value of a string literal, or None for any other expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def strings_assigned(scope: ast.AST, name: str) -> set[str]:
    """Return the string literals assigned to a variable anywhere in a scope."""
    found: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        value = string_value(node.value) if node.value is not None else None
        if value is not None and any(
            isinstance(target, ast.Name) and target.id == name for target in targets
        ):
            found.add(value)
    return found


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """Return the expression passed as a keyword argument of a call, if any."""
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def exception_keys() -> set[str]:
    """Return the translation keys of the exceptions that the integration raises.

    An exception is a call with `translation_domain=`. Its `translation_key=` is a
    string literal, or a variable whose literal assignments in the same function
    are its possible values.
    """
    keys: set[str] = set()
    for tree in source_trees():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                key = keyword(call, "translation_key")
                if keyword(call, "translation_domain") is None or key is None:
                    continue
                if (literal := string_value(key)) is not None:
                    keys.add(literal)
                elif isinstance(key, ast.Name):
                    keys |= strings_assigned(function, key.id)
    return keys


def literal_placeholders() -> list[tuple[str, set[str]]]:
    """Return each exception key with the placeholder names of its dict literal."""
    passed: list[tuple[str, set[str]]] = []
    for tree in source_trees():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            key = keyword(call, "translation_key")
            values = keyword(call, "translation_placeholders")
            literal = string_value(key) if key is not None else None
            if (
                keyword(call, "translation_domain") is None
                or literal is None
                or not isinstance(values, ast.Dict)
            ):
                continue
            names = {string_value(name) for name in values.keys if name is not None}
            passed.append((literal, {name for name in names if name is not None}))
    return passed


def flow_keys(file_name: str) -> tuple[set[str], set[str]]:
    """Return the abort reasons and form error keys that one flow module uses.

    Reasons are `reason="..."` literals. Errors are `errors[...] = "..."`
    assignments and `{"base": "..."}` dict literals.
    """
    tree = ast.parse((PACKAGE / file_name).read_text(encoding="utf-8"))
    reasons: set[str] = set()
    errors: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            reason = keyword(node, "reason")
            if reason is not None and (literal := string_value(reason)) is not None:
                reasons.add(literal)
        elif isinstance(node, ast.Assign):
            value = string_value(node.value)
            if value is not None and any(
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id == "errors"
                for target in node.targets
            ):
                errors.add(value)
        elif isinstance(node, ast.Dict):
            for dict_key, dict_value in zip(node.keys, node.values, strict=True):
                if dict_key is not None and string_value(dict_key) == "base":
                    literal = string_value(dict_value)
                    if literal is not None:
                        errors.add(literal)
    return reasons, errors


def input_error_keys() -> set[str]:
    """Return the error keys that `connection.InputError(field, key)` is raised with."""
    tree = ast.parse((PACKAGE / "connection.py").read_text(encoding="utf-8"))
    keys: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "InputError"
            and len(node.args) == 2
            and (literal := string_value(node.args[1])) is not None
        ):
            keys.add(literal)
    return keys


def used_keys() -> list[str]:
    """Return the dotted en.json paths that the code refers to."""
    config_reasons, config_errors = flow_keys("config_flow.py")
    options_reasons, options_errors = flow_keys("options_flow.py")
    repair_reasons, _ = flow_keys("repairs.py")
    connection_keys = {key for _, key in CONNECTION_ERRORS}
    connection_keys.add(connection_error_key(CxEngageError("unexpected")))

    paths = {f"exceptions.{key}.message" for key in exception_keys()}
    paths |= {f"issues.{issue}.title" for issue in (*FIXABLE_ISSUES, FORBIDDEN_ISSUE)}
    paths.add(f"issues.{FORBIDDEN_ISSUE}.description")
    for issue in FIXABLE_ISSUES:
        paths.add(f"issues.{issue}.fix_flow.step.confirm.description")
        paths |= {f"issues.{issue}.fix_flow.abort.{key}" for key in repair_reasons}
    paths |= {f"config.abort.{key}" for key in config_reasons}
    paths |= {
        f"config.error.{key}"
        for key in config_errors | connection_keys | input_error_keys()
    }
    paths |= {f"options.abort.{key}" for key in options_reasons | connection_keys}
    paths |= {f"options.error.{key}" for key in options_errors}
    return sorted(paths)


def test_source_scan_finds_keys() -> None:
    # Checks the scan itself, because a rewrite of the calls could hide every key.
    assert "exceptions.action_rate_limited_retry_after.message" in used_keys()
    assert "config.error.unknown" in used_keys()


@pytest.mark.parametrize("path", used_keys())
def test_used_key_in_english(path: str) -> None:
    assert path in ENGLISH, f"en.json lacks {path}, which the code uses"


@pytest.mark.parametrize(
    ("key", "passed"),
    [pytest.param(key, passed, id=key) for key, passed in literal_placeholders()],
)
def test_exception_placeholders_match(key: str, passed: set[str]) -> None:
    assert placeholders(ENGLISH[f"exceptions.{key}.message"]) == passed
