"""The apps as floors (issue 14): no upward import, no import cycle inside an app, no template
linking up, and no consent state spelled outside consent. Read from the source with ast, so an
import hidden inside a function counts like any other. Nothing is allowed by exception."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Bottom to top (README "How it is built"); apps on one floor may not import each other either.
FLOORS = {
    "tenants": 0,
    "audit": 0,
    "outbox": 0,
    "governance": 1,
    "consent": 2,
    "recognition": 3,
    "dsr": 4,
    "portal": 5,
}
# The two ground-floor apps audit and tenants already depend one way (audit -> tenants is
# not used; tenants -> audit is): allowed pairs on one floor, lower first.
SAME_FLOOR_ALLOWED = {("tenants", "audit"), ("audit", "tenants")}
CONSENT_STATES = {"active", "withdrawn", "expired", "reconsent_required", "restricted"}
STATE_NAMES = {"ACTIVE", "WITHDRAWN", "EXPIRED", "RECONSENT_REQUIRED", "RESTRICTED"}


def _modules() -> dict[str, Path]:
    found = {}
    for app in FLOORS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imports(tree: ast.AST, modules) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        out |= {name for name in names if name in modules}
    return out


def _graph():
    modules = _modules()
    return {m: _imports(ast.parse(p.read_text()), modules) for m, p in modules.items()}


def _app(module: str) -> str:
    return module.split(".")[0]


def test_no_app_imports_a_higher_floor_or_a_neighbour():
    wrong = []
    for source, targets in _graph().items():
        for target in targets:
            a, b = _app(source), _app(target)
            if a == b or (a, b) in SAME_FLOOR_ALLOWED:
                continue
            if FLOORS[a] <= FLOORS[b]:
                wrong.append(f"{source} -> {target}")
    assert wrong == []


def test_no_import_cycle_inside_an_app():
    graph = _graph()
    edges = {m: {t for t in targets if _app(t) == _app(m)} for m, targets in graph.items()}
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert cycles == []


# Templates live in templates/<dir>/ and <app>/templates/<dir>/; URL namespaces and template
# folders that are not an app's own name belong to portal (the staff panel, the API).
PORTAL_NAMES = {"panel", "api"}
TEMPLATE_REFERENCE = re.compile(
    r"""\{%\s*(?:url\s+['"](?P<ns>\w+):|(?:include|extends)\s+['"](?P<dir>\w+)/)"""
)


def _template_app(name: str) -> str | None:
    return "portal" if name in PORTAL_NAMES else name if name in FLOORS else None


def test_no_template_links_or_includes_a_higher_floor():
    """A lower app's page never names a higher app's URL or template (consent's /me/ menu
    gets the requests page from settings.CONSENT_SELF_SERVICE_PAGES)."""
    wrong = []
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in FLOORS)]
    for folder in folders:
        for path in folder.rglob("*.*") if folder.is_dir() else []:
            owner = _template_app(path.relative_to(folder).parts[0])
            if owner is None:
                continue
            for match in TEMPLATE_REFERENCE.finditer(path.read_text()):
                target = _template_app(match["ns"] or match["dir"])
                if target and target != owner and FLOORS[target] >= FLOORS[owner]:
                    wrong.append(f"{path.relative_to(ROOT)}: {match[0]}")
    assert wrong == []


def _state_spellings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        # Consent.State.ACTIVE, ConsentState.RESTRICTED ... outside consent.
        if (
            isinstance(node, ast.Attribute)
            and node.attr in STATE_NAMES
            and isinstance(node.value, ast.Attribute | ast.Name)
            and getattr(node.value, "attr", getattr(node.value, "id", "")) in ("State",)
            and "Consent" in ast.unparse(node.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
        # state="withdrawn", consent__state__in=[...], and the same in comparisons with .state.
        if isinstance(node, ast.keyword) and node.arg and "state" in node.arg.split("__"):
            values = [node.value, *getattr(node.value, "elts", [])]
            if any(isinstance(v, ast.Constant) and v.value in CONSENT_STATES for v in values):
                found.append(f"{path.relative_to(ROOT)}:{node.value.lineno}: {node.arg}=...")
        if isinstance(node, ast.Compare) and "consent" in ast.unparse(node.left).lower():
            for v in node.comparators:
                if isinstance(v, ast.Constant) and v.value in CONSENT_STATES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Constant) and node.value == "reconsent_required":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: 'reconsent_required'")
    return found


def test_no_consent_state_is_spelled_outside_consent():
    spelled = []
    for app in FLOORS:
        if app == "consent":
            continue
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                spelled += _state_spellings(path)
    assert spelled == []
