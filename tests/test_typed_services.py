"""Every public function of the services is fully annotated (parameters and return).

mypy (pyproject: disallow_untyped_defs for monitor.services) checks the same and more; this
guard keeps the public signatures typed even if that setting is relaxed, and names what is
missing without a mypy run."""
import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "monitor" / "services"


def _is_static(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _missing(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    """What `node` leaves unannotated: parameter names, and 'return'."""
    args = node.args
    positional = args.posonlyargs + args.args
    if method and not _is_static(node) and positional:
        positional = positional[1:]  # self / cls
    params = positional + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a is not None]
    missing = [a.arg for a in params if a.annotation is None]
    if node.returns is None:
        missing.append("return")
    return missing


def _public_functions(tree: ast.Module):
    """(qualified name, node, is a method) of module-level functions and class methods."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node, False
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item, True


def unannotated() -> list[str]:
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, node, method in _public_functions(tree):
            if name.rsplit(".", 1)[-1].startswith("_"):
                continue
            missing = _missing(node, method)
            if missing:
                where = path.relative_to(SERVICES.parent.parent)
                found.append(f"{where}:{node.lineno} {name}: {', '.join(missing)}")
    return found


def test_services_directory_is_found():
    assert len(list(SERVICES.rglob("*.py"))) > 20


def test_public_service_functions_are_annotated():
    assert unannotated() == []


def test_the_guard_sees_a_missing_annotation():
    tree = ast.parse("def f(a, b: int) -> None: ...\n"
                     "def g(x: int): ...\n"
                     "class C:\n"
                     "    def m(self, y) -> int: ...\n"
                     "    @staticmethod\n"
                     "    def s(z: int) -> int: ...\n"
                     "    def _private(self, w): ...\n")
    found = {name: _missing(node, method) for name, node, method in _public_functions(tree)}
    assert found == {"f": ["a"], "g": ["return"], "C.m": ["y"], "C.s": [], "C._private": ["w", "return"]}
