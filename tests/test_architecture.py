"""The shape of the package (ARCHITECTURE.md): no import circle, the CLI on top, every error a
StanceError, no private name used outside its module. Read from the source with ``ast``, so a
lazy import inside a function counts like one at the top."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import stance
from stance import errors

PACKAGE = Path(stance.__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[1]  # the checkout (stance may be installed elsewhere)


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# the package's code; the data it ships (corpus and label files, their scripts) is not part of the graph
MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if not {"data", "_data"} & set(p.relative_to(PACKAGE).parts[:-1])}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, list[str], int]]:
    """(imported stance module, names taken from it, line) for every import in ``module``."""
    path = MODULES[module]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "stance"]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            if target.split(".")[0] != "stance":
                continue
            names = [a.name for a in node.names]
            submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if submodules:
                out += [(m, [], node.lineno) for m in submodules]
                names = [n for n in names if f"{target}.{n}" not in MODULES]
            if names:
                out.append((target, names, node.lineno))
    return out


def graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = {}
    for m in MODULES:
        g[m] = set()
        for target, _, _ in imports_of(m):
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            # a package's __init__ importing its own private modules is how it re-exports them
            if target in MODULES and target != m and not target.startswith(m + "."):
                g[m].add(target)
    return g


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_the_graph_reader_sees_lazy_and_relative_imports():
    g = graph()
    assert "stance.training" in g["stance.loading"]  # imported inside a function
    assert "stance.errors" in g["stance.cli"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_import_graph_has_no_circle():
    assert _cycles(graph()) == []


def test_nothing_outside_the_command_line_imports_it():
    cli = {m for m in MODULES if m.split(".")[-1].startswith(("cli", "__main__"))}
    assert "stance.cli" in cli
    offenders = sorted(f"{m} imports {t}" for m, ts in graph().items() if m not in cli for t in ts if t in cli)
    assert offenders == []


def test_errors_imports_nothing_from_stance():
    assert graph()["stance.errors"] == set()


def _private_uses(path: Path, module: str | None) -> list[str]:
    """``from stance.x import _y`` and ``x._y`` on an imported stance module, outside ``stance.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node) if module else (node.module or "")
            if target.split(".")[0] != "stance":
                continue
            for a in node.names:
                full = f"{target}.{a.name}"
                if full in MODULES:
                    aliases[a.asname or a.name] = full
                elif a.name.startswith("_") and not a.name.startswith("__") and target != module:
                    bad.append(f"{path.name}:{node.lineno} imports {a.name} from {target}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("stance") and a.asname:
                    aliases[a.asname] = a.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")
                and aliases[node.value.id] != module):
            bad.append(f"{path.name}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    return bad


def test_no_private_name_is_used_outside_its_module():
    bad = [b for m, p in MODULES.items() for b in _private_uses(p, m)]
    for folder in ("experiments", "scripts", "benchmarks"):
        for p in sorted((ROOT / folder).glob("*.py")):
            bad += _private_uses(p, None)
    assert bad == []


def test_every_error_is_a_stance_error_and_modules_share_the_classes():
    classes = [getattr(errors, n) for n in errors.__all__]
    for cls in classes:
        assert issubclass(cls, errors.StanceError) or issubclass(cls, Warning), cls
    for m in MODULES:
        if m.endswith("__main__"):
            continue
        mod = importlib.import_module(m)
        for name, obj in vars(mod).items():
            if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__.startswith("stance"):
                assert obj.__module__ == "stance.errors" or name.startswith("_"), f"{m}.{name} is defined outside errors"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.endswith("__main__")))
def test_every_module_imports_on_its_own(module):
    importlib.import_module(module)


# The layers of ARCHITECTURE.md, from the bottom up; a module imports only from its layer or below.
LAYERS = [
    ("facts", {"stance", "errors", "_paths"}),
    ("text", {"segment", "exclusion", "features", "lexical", "speakers", "document"}),
    ("data", {"corpus", "labelled_sets", "training_data", "tables", "labelling"}),
    ("estimators", {"models", "estimators", "embed"}),
    ("a fitted model", {"stance_model", "compiled", "artifact", "registry"}),
    ("measuring", {"evaluate", "plots", "html"}),
    ("workflows", {"loading", "training", "uncertainty", "batch", "spark"}),
    ("commands", {"cli", "cli_evaluate", "cli_registry", "__main__"}),
]


def _layer(module: str) -> int:
    parts = module.split(".")
    short = parts[1] if len(parts) > 1 else "stance"
    for i, (_, members) in enumerate(LAYERS):
        if short in members:
            return i
    raise AssertionError(f"{module} is in no layer of ARCHITECTURE.md: add it to the picture and to LAYERS")


def test_every_module_is_in_a_layer_and_imports_only_downward():
    upward = [f"{m} ({LAYERS[_layer(m)][0]}) imports {t} ({LAYERS[_layer(t)][0]})"
              for m, targets in graph().items() for t in targets if _layer(t) > _layer(m)]
    assert upward == []


def test_architecture_md_names_every_module():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [short for _, members in LAYERS for short in members if short not in text]
    assert missing == []
