"""The shape of the package (ARCHITECTURE.md): folders are the layers, no import circle, the CLI on
top, every error a StanceError, no private name or private module used outside its place. Read from
the source with ``ast``, so a lazy import inside a function counts like one at the top."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import stance
import stance.errors

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
    assert "stance.training" in g["stance.hub._loading"]  # imported inside a function
    assert "stance.hub._registry" in g["stance.hub._loading"]  # a relative import
    assert "stance.errors" in g["stance.cli._common"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_import_graph_has_no_circle():
    assert _cycles(graph()) == []


def test_nothing_outside_the_command_line_imports_it():
    cli = {m for m in MODULES if m.split(".")[:2] == ["stance", "cli"] or m.endswith("__main__")}
    assert "stance.cli" in cli
    offenders = sorted(f"{m} imports {t}" for m, ts in graph().items() if m not in cli for t in ts if t in cli)
    assert offenders == []


def test_errors_imports_nothing_from_stance():
    assert graph()["stance.errors"] == set()


def _private_module_owner(name: str) -> str | None:
    """The package a private module belongs to (``stance.text`` for ``stance.text._cues``), or None."""
    parts = name.split(".")
    for k, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:k])
    return None


def _defined_private_names(tree: ast.AST) -> set[str]:
    """Private names a file defines: functions, classes, attributes it assigns, module variables."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _private_uses(path: Path, module: str | None) -> list[str]:
    """Private modules imported from outside their package, private names imported from another module,
    and ``obj._name`` where ``_name`` is not defined in this file (``self`` and ``cls`` aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = module or ""
    bad = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node) if module else (node.module or "")
            if target.split(".")[0] != "stance":
                continue
            for a in node.names:
                full = f"{target}.{a.name}"
                targets.append(full if full in MODULES else target)
                if full not in MODULES and a.name.startswith("_") and not a.name.startswith("__") and target != module:
                    bad.append(f"{path.name}:{node.lineno} imports {a.name} from {target}")
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.split(".")[0] == "stance"]
        for t in targets:
            owner = _private_module_owner(t)
            if owner is not None and not (where == owner or where.startswith(owner + ".")):
                bad.append(f"{path.name}:{node.lineno} imports the private module {t}")
    own = _defined_private_names(tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and node.attr not in own and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            value = node.value
            # a sibling private module imported by name (from . import _registry) is the package's own business
            if isinstance(value, ast.Name) and value.id.startswith("_") and module is not None:
                continue
            bad.append(f"{path.name}:{node.lineno} uses .{node.attr} of another module's object")
    return bad


def test_no_private_name_or_module_is_used_outside_its_place():
    bad = [b for m, p in MODULES.items() for b in _private_uses(p, m)]
    for folder in ("tests", "experiments", "scripts", "benchmarks", "labels", "corpus"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            if "work" not in p.relative_to(ROOT).parts:  # labels/news/work: the labellers' scratch files
                bad += _private_uses(p, None)
    assert bad == []


def test_the_private_use_check_catches_each_kind(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import stance.text._cues\nfrom stance.model import _format\n"
                     "from stance.hub._loading import load\nm = object()\nm._spec\n", encoding="utf-8")
    found = _private_uses(probe, None)
    assert len(found) == 4, found


def test_every_error_is_a_stance_error_and_modules_share_the_classes():
    classes = [getattr(stance.errors, n) for n in stance.errors.__all__]
    for cls in classes:
        assert issubclass(cls, stance.errors.StanceError) or issubclass(cls, Warning), cls
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


def layers() -> list[str]:
    """The layers, bottom first, as ARCHITECTURE.md draws them: every line of its first picture that
    starts with a folder (``text/``) or a top-level module (``pipeline.py``); the facts below them all."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    picture = text.split("```")[1]
    drawn = [line.split()[0] for line in picture.splitlines() if line.strip().split(" ")[0].endswith(("/", ".py"))]
    return ["facts"] + [d.rstrip("/").removesuffix(".py") for d in reversed(drawn)]


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "stance"
    order = layers()
    if top in order:
        return order.index(top)
    if (PACKAGE / top).is_dir():
        raise AssertionError(f"the folder {top}/ is in no layer of ARCHITECTURE.md: draw it in the picture")
    return 0  # stance/__init__, errors, _paths, _compat, __main__: the facts (the CLI check covers __main__)


def test_every_folder_is_a_layer_of_the_picture():
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert sorted(set(layers()) - {"facts", "pipeline"}) == folders
    assert layers()[:3] == ["facts", "text", "pipeline"] and layers()[-1] == "cli"


def test_every_module_imports_only_from_its_layer_or_below():
    order = layers()
    upward = [f"{m} ({order[_layer(m)]}) imports {t} ({order[_layer(t)]})"
              for m, targets in graph().items() if not m.endswith("__main__")
              for t in targets if _layer(t) > _layer(m)]
    assert upward == []


def test_no_module_is_over_400_lines():
    long = [f"{m}: {n}" for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert long == []
