"""The layout's rules (docs/ARCHITECTURE.md), read from the imports of every module: core imports
no plugin, tool or API module; plugins import no tool or API module; a plugin reaches into
another plugin only where the table below says why."""

import ast
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (importing plugin, imported module): why the plugin uses another plugin's module.
CROSS_PLUGIN = {
    ("ops", "simgan.plugins.simgan.logits"): "the fused op computes S+U's local adversarial "
                                             "loss and must use its logit convention",
}


def _imports(folder: str) -> list[tuple[str, str]]:
    """``(file relative to the repository, imported simgan module)`` for every module of
    ``folder``; ``from simgan import x`` counts as ``simgan.x``."""
    found = []
    for root, _, names in os.walk(os.path.join(REPO, folder)):
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
                if isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules = [node.module] if node.module != "simgan" else [
                        f"simgan.{a.name}" for a in node.names]
                else:
                    continue
                found += [(os.path.relpath(path, REPO), m) for m in modules
                          if m == "simgan" or m.startswith("simgan.")]
    return found


def _outside(module: str, allowed: tuple[str, ...]) -> bool:
    return not any(module == p or module.startswith(p + ".") for p in allowed)


def test_core_imports_only_core():
    bad = [(f, m) for f, m in _imports("core") if _outside(m, ("simgan.core", "simgan.configs"))]
    assert not bad, f"core must not import plugins, tools or the API: {bad}"


def test_plugins_import_core_and_no_tool():
    bad = [(f, m) for f, m in _imports("plugins")
           if _outside(m, ("simgan.core", "simgan.plugins", "simgan.configs"))]
    assert not bad, f"plugins depend on core interfaces only: {bad}"


def test_a_plugin_reaches_into_another_only_where_listed():
    crossings = set()
    for f, m in _imports("plugins"):
        parts = f.split(os.sep)
        if len(parts) > 2 and m.startswith("simgan.plugins.") and m.split(".")[2] != parts[1]:
            crossings.add((parts[1], m))
    assert crossings == set(CROSS_PLUGIN)
