"""The codebase as a map (README "Architecture"): feature packages with no import cycle, no
module over 500 lines, the leaf apps importing no other domain app, and the only imports made
at call time the ones listed here with their reason. Read from the source with ``ast``, so
a new cycle or a new lazy import fails here before it confuses a reader. The forbidden
imports are also checked by import-linter in ``make lint`` (pyproject.toml)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["kernel", "accounts", "vacancies", "recruitment", "adjustments", "config"]
MAX_LINES = 500

#: Imports made inside a function, each with why it cannot be at the top of its module.
CALL_TIME_IMPORTS = {
    # Django's AppConfig.ready(): models and rules register once the app registry is ready.
    ("accounts.apps", "accounts.models"),
    ("accounts.apps", "accounts.permissions"),
    ("accounts.apps", "kernel.audit"),
    ("adjustments.apps", "adjustments.models"),
    ("adjustments.apps", "adjustments.permissions"),
    ("adjustments.apps", "kernel.audit"),
    ("recruitment.apps", "kernel.audit"),
    ("recruitment.apps", "recruitment.permissions"),
    ("recruitment.apps", "recruitment.models"),
    # Listening for a vacancy's cancellation (vacancies imports no other domain app).
    ("recruitment.apps", "recruitment.interviews.on_vacancy"),
    ("vacancies.apps", "kernel.audit"),
    ("vacancies.apps", "vacancies.permissions"),
    ("vacancies.apps", "vacancies.models"),
    # Celery's task module is imported by the services that queue its tasks; the periodic
    # tasks' own work (erasure, reports) imports those services in turn, so it is loaded
    # when the task runs.
    ("recruitment.tasks", "recruitment.scoring.decision_runs"),
    ("adjustments.tasks", "adjustments.before_applying"),
    ("recruitment.tasks", "recruitment.monitoring.reports"),
    ("recruitment.tasks", "recruitment.privacy.retention"),
    # A management command: the demo's adjustments, made after the recruitment data.
    ("recruitment.management.commands.seed_demo", "adjustments.services"),
}


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


MODULES = dict(modules())


def _is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node, package):
    """The project modules an import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            parent = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parent, base] if base else parent)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    return {n for n in names if n in MODULES}


def imports(name, path):
    """(module-level targets, call-time targets) of one module, ``TYPE_CHECKING`` left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top, later = set(), set()

    def walk(nodes, inside_function):
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                walk(node.orelse, inside_function)
                continue
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                (later if inside_function else top).update(_targets(node, package))
                continue
            nested = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            walk(ast.iter_child_nodes(node), inside_function or nested)

    walk(tree.body, False)
    return top - {name}, later - {name}


GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_scan_sees_the_code():
    assert len(MODULES) > 100
    assert "recruitment.applications.workflow" in GRAPH["recruitment.applications.services"][0]


def test_no_import_cycle():
    assert cycles({name: top for name, (top, _) in GRAPH.items()}) == []


def test_the_cycle_check_can_fail():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_made_at_call_time_are_only_the_listed_ones():
    lazy = {(name, target) for name, (_, later) in GRAPH.items() for target in later}
    assert lazy == CALL_TIME_IMPORTS


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("vacancies", ("recruitment", "adjustments")),
        ("kernel", ("recruitment", "vacancies", "adjustments")),
        ("accounts", ("recruitment", "vacancies", "adjustments")),
    ],
)
def test_a_leaf_app_imports_no_other_domain_app(package, forbidden):
    reached = {
        (name, target)
        for name, (top, later) in GRAPH.items()
        if name == package or name.startswith(package + ".")
        for target in top | later
        if target.split(".")[0] in forbidden
    }
    assert reached == set()


def test_no_module_is_over_500_lines():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def readme_map():
    """package path → the module files the README's Architecture map names under it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Architecture", 1)[1].split("```", 2)[1]
    named, top, sub = {}, None, None
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        first = line.strip().split(" ")[0] if line.strip() else ""
        if first.endswith("/") and indent == 0:
            top, sub = first.rstrip("/"), None
            continue
        if first.endswith("/") and indent == 2:
            sub = first.rstrip("/")
            continue
        if indent > 4 and not line.strip().split(" ")[0].endswith((".py", ".py,")):
            continue  # a description's continuation
        package = f"{top}/{sub}" if sub and indent >= 4 else top
        for token in line.replace(",", " ").split():
            if token.endswith(".py"):
                named.setdefault(package, set()).add(token)
    return named


MAPPED = ["kernel", "recruitment", "accounts", *(f"recruitment/{f}" for f in ("applications",
          "scoring", "monitoring", "privacy"))]  # fmt: skip


@pytest.mark.parametrize("package", MAPPED)
def test_the_readme_map_names_every_module_of_the_features_and_the_kernel(package):
    on_disk = {
        p.name for p in (ROOT / package).glob("*.py") if p.name not in ("__init__.py", "apps.py")
    }
    assert readme_map().get(package, set()) == on_disk
