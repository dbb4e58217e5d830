"""The layout's rule (docs/architecture.md): imports flow one way. Services
and the hub depend on the shared package, never on each other; the shared
package depends on nothing of the project's; the learner image carries only
the naming rules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("balaikode.grader", "balaikode.disks", "balaikode.firewall")
HUB = "balaikode_hub"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_imports(path: Path, root: Path) -> set[str]:
    """Absolute names of what a file imports (relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return {n for n in found if n.split(".")[0] in ("balaikode", HUB, "balaikode_nbgrader")}


def owner(module: str) -> str:
    """Which room a module is in: a service, the hub, or the shared package."""
    for service in SERVICES:
        if module == service or module.startswith(service + "."):
            return service
    return HUB if module.split(".")[0] == HUB else "shared"


def files(root: Path, package: str) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


CODE = [(path, REPO / "src") for path in files(REPO / "src", "balaikode")] + \
       [(path, REPO / "hub_config") for path in files(REPO / "hub_config", HUB)]


@pytest.mark.parametrize("path,root", CODE, ids=lambda v: str(v.relative_to(REPO)) if isinstance(v, Path) else "")
def test_imports_flow_from_the_rooms_to_the_shared_package_only(path, root):
    mine = owner(module_name(path, root))
    for imported in project_imports(path, root):
        theirs = owner(imported)
        if theirs in ("shared", mine):
            continue
        pytest.fail(f"{path.relative_to(REPO)} ({mine}) imports {imported} ({theirs}): "
                    "only the shared package may be imported across rooms")


@pytest.mark.parametrize("path,root", [(p, r) for p, r in CODE if owner(module_name(p, r)) == "shared"],
                         ids=lambda v: str(v.relative_to(REPO)) if isinstance(v, Path) else "")
def test_the_shared_package_imports_nothing_of_the_rooms(path, root):
    bad = {name for name in project_imports(path, root) if owner(name) != "shared"}
    assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_the_learner_image_uses_only_the_naming_rules_of_the_shared_package():
    image_code = REPO / "images" / "base"
    used = set()
    for path in image_code.rglob("*.py"):
        used |= {n for n in project_imports(path, image_code) if n.startswith("balaikode.")
                 or n == "balaikode"}
    assert used <= {"balaikode", "balaikode.names"}, used
    dockerfile = (image_code / "Dockerfile").read_text()
    assert "COPY src/balaikode/__init__.py src/balaikode/names.py" in dockerfile


def test_the_shared_package_init_imports_nothing():
    # The learner image copies __init__.py and names.py alone.
    tree = ast.parse((REPO / "src" / "balaikode" / "__init__.py").read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_names_py_imports_only_the_standard_library():
    tree = ast.parse((REPO / "src" / "balaikode" / "names.py").read_text())
    imported = {alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"__future__", "re", "sys"}, imported


def test_test_files_have_unique_names():
    # The test folders are not packages: pytest imports each file by its
    # name alone, and a second file of that name stops the whole run.
    seen: dict[str, Path] = {}
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        assert path.name not in seen, f"{path.relative_to(REPO)} and {seen[path.name].relative_to(REPO)}"
        seen[path.name] = path
