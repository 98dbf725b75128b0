"""Read, from the source, every stable error code the ApplicationError family is built with.

The API's error table (portal.api.error_codes) is written by hand; this finds what the code
actually raises so a test can hold the two together: a class's ``code``/``status``, and each
construction ``SomeError(..., code="x")`` of a family class, with the status of that class.
"""

import ast
from pathlib import Path

APPS = ("tenants", "audit", "outbox", "governance", "consent", "recognition", "dsr", "portal")
ROOT = Path(__file__).resolve().parents[2]


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), filename=str(path))


def _literal(node):
    return node.value if isinstance(node, ast.Constant) else None


def _family() -> dict[str, tuple[int, str]]:
    """Return each family class name with its (status, default code), inherited down."""
    family = {"ApplicationError": (400, "invalid")}
    classes = [
        node
        for _path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    ]
    grew = True
    while grew:
        grew = False
        for node in classes:
            # DRF's own exceptions (exceptions.Throttled) are not of the family, whatever
            # their names.
            bases = [ast.unparse(b) for b in node.bases if "." not in ast.unparse(b)]
            base = next((b for b in bases if b in family), None)
            if node.name in family or base is None:
                continue
            status, code = family[base]
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    name = ast.unparse(stmt.targets[0])
                    if name == "status":
                        status = _literal(stmt.value)
                    elif name == "code":
                        code = _literal(stmt.value)
            family[node.name] = (status, code)
            grew = True
    return family


def raised_codes() -> dict[str, set[tuple[int, str]]]:
    """Return {code: {(status, "module:line"), ...}} for every literal code of the family.

    A code computed at run time (``code=code``) is skipped: the table lists those by hand.
    """
    family = _family()
    found: dict[str, set] = {}
    for name, (status, code) in family.items():
        found.setdefault(code, set()).add((status, f"class {name}"))
    for path, tree in _modules():
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func).rsplit(".", 1)[-1]
            if name == "ImageRejected" and node.args:
                # Intake's refusals travel as ImageRefused (400) with intake's own code.
                code = _literal(node.args[0])
                found.setdefault(code, set()).add((400, f"{where}:{node.lineno}"))
                continue
            if name not in family:
                continue
            status, code = family[name]
            for keyword in node.keywords:
                if keyword.arg == "code":
                    code = _literal(keyword.value)
            if code is not None:
                found.setdefault(code, set()).add((status, f"{where}:{node.lineno}"))
    return found


if __name__ == "__main__":
    for code, seen in sorted(raised_codes().items()):
        print(code, sorted({s for s, _ in seen}), sorted(w for _, w in seen)[:3])
