"""How a door explains the tools' arguments: clean descriptions and one-sentence argument errors.

Transport-agnostic (pydantic and the JSON schema only): the MCP server uses it today, an HTTP door
can reuse it. Error sentences read the bounds and choices from the published JSON schema, so the
message and the schema cannot disagree.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

SHOWN_CHARS = 60  # at most this much of a rejected value is quoted back

Schema = Mapping[str, Any]


def describe(doc: str | None) -> str:
    """A docstring as a tool description: dedented, each paragraph on one line."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs).strip()


def argument_error(error: ValidationError, schema: Schema) -> str:
    """One sentence naming each invalid field and what it accepts (no pydantic text, no URL)."""
    return problems_sentence(error.errors(include_url=False), schema)


def problems_sentence(problems: Iterable[Mapping[str, Any]], schema: Schema) -> str:
    """argument_error's sentence for pydantic's error dicts (a web framework hands them over as such)."""
    sentences: dict[str, str] = {}
    for problem in problems:
        field = field_name(problem["loc"])
        if field not in sentences:
            sentences[field] = _sentence(field, problem, field_schema(schema, problem["loc"]))
    return "; ".join(sentences.values()) or "the arguments are invalid"


def field_name(loc: Sequence[int | str]) -> str:
    """A field's path as an assistant writes it: items[2].content."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "the arguments"


def field_schema(schema: Schema, loc: Sequence[int | str]) -> Schema:
    """The JSON schema of the field at loc (refs resolved, the null branch of an optional skipped)."""
    node = _concrete(schema, schema)
    for part in loc:
        key = "items" if isinstance(part, int) else "properties"
        child = node.get(key, {})
        node = _concrete(schema, child if isinstance(part, int) else child.get(part, {}))
    return node


def _concrete(root: Schema, node: Schema) -> Schema:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    branches = [b for b in node.get("anyOf", []) if b.get("type") != "null"]
    return _concrete(root, branches[0]) if len(branches) == 1 else node


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _range(schema: Schema) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f" between {_number(low)} and {_number(high)}"
    if low is not None:
        return f" of at least {_number(low)}"
    return f" of at most {_number(high)}" if high is not None else ""


_BOUND_WORDS = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}


def _bounded(kind: str) -> Callable[[Mapping[str, Any], Schema], str]:
    def expected(problem: Mapping[str, Any], schema: Schema) -> str:
        bounds = _range(schema)
        if kind:
            return kind + bounds
        if bounds:
            return bounds.removeprefix(" of").strip()
        ctx = problem.get("ctx", {})
        return " and ".join(f"{_BOUND_WORDS[k]} {_number(v)}" for k, v in ctx.items() if k in _BOUND_WORDS)

    return expected


def _choices(problem: Mapping[str, Any], schema: Schema) -> str:
    choices = schema.get("enum") or []
    return "one of " + ", ".join(str(c) for c in choices) if choices else "one of the listed values"


def _text_length(problem: Mapping[str, Any], schema: Schema) -> str:
    if problem["type"] == "string_too_short":
        low = schema.get("minLength", 1)
        return "a non-empty string" if low == 1 else f"at least {low} characters"
    return f"at most {schema.get('maxLength')} characters (got {len(str(problem.get('input', '')))})"


def _list_length(problem: Mapping[str, Any], schema: Schema) -> str:
    ctx = problem.get("ctx", {})
    short = problem["type"] == "too_short"
    bound = (
        ctx.get("min_length", schema.get("minItems"))
        if short
        else ctx.get("max_length", schema.get("maxItems"))
    )
    got = f" (got {ctx['actual_length']})" if "actual_length" in ctx else ""
    return f"a list of at {'least' if short else 'most'} {bound} item{'' if bound == 1 else 's'}{got}"


_UUID = "a UUID such as 123e4567-e89b-42d3-a456-426614174000"
_DATETIME = "an ISO 8601 date-time such as 2030-01-01T09:00:00Z"

# pydantic error type -> what the field must be; the value is quoted back unless the text says its length
_EXPECTED: dict[str, Callable[[Mapping[str, Any], Schema], str]] = {
    "greater_than_equal": _bounded(""),
    "less_than_equal": _bounded(""),
    "greater_than": _bounded(""),
    "less_than": _bounded(""),
    "int_parsing": _bounded("an integer"),
    "int_type": _bounded("an integer"),
    "int_from_float": _bounded("an integer"),
    "float_parsing": _bounded("a number"),
    "float_type": _bounded("a number"),
    "finite_number": _bounded("a finite number"),
    "literal_error": _choices,
    "enum": _choices,
    "string_too_short": _text_length,
    "string_too_long": _text_length,
    "too_short": _list_length,
    "too_long": _list_length,
    "bool_parsing": lambda p, s: "true or false",
    "bool_type": lambda p, s: "true or false",
    "string_type": lambda p, s: "a string",
    "list_type": lambda p, s: "a list",
    "dict_type": lambda p, s: "an object",
    "model_type": lambda p, s: "an object",
    "model_attributes_type": lambda p, s: "an object",
    "uuid_parsing": lambda p, s: _UUID,
    "uuid_type": lambda p, s: _UUID,
    "datetime_parsing": lambda p, s: _DATETIME,
    "datetime_type": lambda p, s: _DATETIME,
    "datetime_from_date_parsing": lambda p, s: _DATETIME,
}
_SAYS_WHAT_IT_GOT = {"string_too_short", "string_too_long", "too_short", "too_long"}


def _sentence(field: str, problem: Mapping[str, Any], schema: Schema) -> str:
    kind = problem["type"]
    if kind == "missing":
        return f"{field} is required"
    expected = _EXPECTED.get(kind)
    if expected is None:
        message = str(problem.get("msg", "is invalid"))
        return f"invalid {field} {_shown(problem.get('input'))}: {message[:1].lower()}{message[1:]}"
    what = expected(problem, schema)
    # The style of the SQL API's own refusals: "invalid limit 0: must be between 1 and 1000".
    if kind in _SAYS_WHAT_IT_GOT:
        return f"invalid {field}: must be {what}"
    return f"invalid {field} {_shown(problem.get('input'))}: must be {what}"
