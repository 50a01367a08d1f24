"""Every `raise` in vestige_client names a class of vestige_client/errors.py, so each door (CLI, MCP)
maps one kind of exception and a caller catches by class.

The rule is read from the source (an AST walk). Besides the errors.py classes (never the bare
base class VestigeError), a `raise` may: re-raise (`raise`, or the name an `except` bound); call
a function that returns an errors.py class (errors.from_database, a module's `_did_not_start`);
raise a private class of its own module that the same module catches by name (control flow
that never leaves the module); or raise one of ALLOWED.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from mcp.server.mcpserver.exceptions import ToolError

from vestige_client import errors

PACKAGE = Path(errors.__file__).resolve().parent

ALLOWED: dict[object, str] = {
    typer.Exit: "the CLI's exit code, raised after the error was printed as one line",
    ToolError: "the MCP SDK's failed tool call; its text is a VestigeError's",
}


def _is_error_class(obj: object) -> bool:
    return (
        isinstance(obj, type)
        and issubclass(obj, errors.VestigeError)
        and obj is not errors.VestigeError
        and obj.__module__ == errors.__name__
    )


def _returns_error(obj: object) -> bool:
    """An errors.py function whose return annotation is VestigeError or one of its classes."""
    if not inspect.isfunction(obj) or obj.__module__ != errors.__name__:
        return False
    returned = getattr(errors, str(inspect.get_annotations(obj).get("return")), None)
    return isinstance(returned, type) and issubclass(returned, errors.VestigeError)


class _Module:
    """What one module imports, defines and catches, to resolve the names its raises use."""

    def __init__(self, tree: ast.Module) -> None:
        self.imports: dict[str, tuple[str, str | None]] = {}  # local name -> (module, attribute)
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0],
                        None,
                    )
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
        self.functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        self.classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        self.caught: set[str] = set()
        self.bound: set[str] = set()  # names bound by `except ... as NAME`
        for handler in ast.walk(tree):
            if isinstance(handler, ast.ExceptHandler):
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                self.caught |= {t.id for t in types if isinstance(t, ast.Name)}
                if handler.name:
                    self.bound.add(handler.name)

    def resolve(self, dotted: list[str]) -> object | None:
        """The object an imported dotted name stands for (None: not imported)."""
        if dotted[0] not in self.imports:
            return None
        module, attribute = self.imports[dotted[0]]
        try:
            obj: object = importlib.import_module(module)
            if attribute is not None:
                try:
                    obj = getattr(obj, attribute)
                except AttributeError:
                    obj = importlib.import_module(f"{module}.{attribute}")
            for part in dotted[1:]:
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            return None
        return obj

    def allowed(self, dotted: list[str]) -> bool:
        """Whether `raise NAME(...)` (or `raise NAME`) keeps the rule."""
        obj = self.resolve(dotted)
        if obj is not None:
            return obj in ALLOWED or _is_error_class(obj) or _returns_error(obj)
        if len(dotted) != 1:
            return False
        [name] = dotted
        if name in self.functions:
            returns = self.functions[name].returns
            return isinstance(returns, ast.Name) and _is_error_class(self.resolve([returns.id]))
        return name in self.classes and name.startswith("_") and name in self.caught


def _dotted(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else [*head, node.attr]
    return None


def violations(source: str, filename: str = "<source>") -> Iterator[str]:
    """`file:line: raise ...` for each raise that breaks the rule."""
    tree = ast.parse(source, filename)
    module = _Module(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc
        if isinstance(exc, ast.Name) and exc.id in module.bound:
            continue  # re-raises what an `except ... as NAME` caught
        dotted = _dotted(exc.func if isinstance(exc, ast.Call) else exc)
        if dotted is None or not module.allowed(dotted):
            yield f"{filename}:{node.lineno}: {ast.unparse(node)}"


def _package_raises() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(PACKAGE.parent)), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_every_raise_in_vestige_client_is_an_errors_class() -> None:
    found = [v for name, source in _package_raises() for v in violations(source, name)]
    assert found == [], "raise a class of vestige_client/errors.py instead:\n" + "\n".join(found)


def test_the_walk_sees_the_package_raises() -> None:
    count = sum(isinstance(n, ast.Raise) for _, s in _package_raises() for n in ast.walk(ast.parse(s)))
    assert count > 100


@pytest.mark.parametrize(
    "source",
    [
        "from vestige_client.errors import VestigeError\nraise VestigeError('bare base class')",
        "raise ValueError('a builtin')",
        "from psycopg import errors\nraise errors.UniqueViolation()",
        "class _Flow(Exception): ...\nraise _Flow()",  # private, but never caught in the module
        "class Public(Exception): ...\ntry:\n    raise Public()\nexcept Public:\n    pass",
        "def make() -> ValueError:\n    return ValueError()\nraise make()",
        "raise {'a': KeyError}['a']()",
    ],
)
def test_the_rule_refuses(source: str) -> None:
    assert list(violations(source)) != []


@pytest.mark.parametrize(
    "source",
    [
        "from vestige_client.errors import InvalidInput\nraise InvalidInput('x')",
        "from vestige_client import errors\nraise errors.NotFound()",
        "import psycopg\nfrom vestige_client.errors import from_database\n"
        "try:\n    pass\nexcept psycopg.Error as exc:\n    raise from_database(exc) from exc",
        "try:\n    pass\nexcept OSError as exc:\n    raise exc",
        "try:\n    pass\nexcept OSError:\n    raise",
        "from vestige_client.errors import ConfigError\n"
        "def _bad(why: str) -> ConfigError:\n    return ConfigError(why)\nraise _bad('x')",
        "class _Flow(Exception): ...\ntry:\n    raise _Flow\nexcept _Flow:\n    pass",
        "import typer\nraise typer.Exit(1)",
    ],
)
def test_the_rule_accepts(source: str) -> None:
    assert list(violations(source)) == []
