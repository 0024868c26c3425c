"""The layout's rules (docs/ARCHITECTURE.md), read from the imports of every module: configs/ and
io/ are libraries that know no engine; core imports only them; plugins import no tool or API
module; a plugin reaches into another plugin only where the table below says why (the modules
at the top of plugins/, plugin loading, optional dependencies and the held-out real images a
task's discriminator is scored on, serve every plugin)."""

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


def test_configs_and_io_know_no_engine():
    bad = [(f, m) for f, m in _imports("configs") if _outside(m, ("simgan.configs",))]
    bad += [(f, m) for f, m in _imports("io") if _outside(m, ("simgan.io", "simgan.configs"))]
    assert not bad, f"configs/ and io/ import only each other (configs/ not even io/): {bad}"


def test_core_imports_only_core_io_and_configs():
    bad = [(f, m) for f, m in _imports("core")
           if _outside(m, ("simgan.core", "simgan.io", "simgan.configs"))]
    assert not bad, f"core must not import plugins, tools or the API: {bad}"


def test_plugins_import_core_and_no_tool():
    bad = [(f, m) for f, m in _imports("plugins")
           if _outside(m, ("simgan.core", "simgan.io", "simgan.configs", "simgan.plugins"))]
    assert not bad, f"plugins depend on core interfaces only: {bad}"


def test_a_plugin_reaches_into_another_only_where_listed():
    shared = {name[:-3] for name in os.listdir(os.path.join(REPO, "plugins"))
              if name.endswith(".py") and name != "__init__.py"}
    assert shared == {"extras", "heldout", "loading"}
    crossings = set()
    for f, m in _imports("plugins"):
        parts = f.split(os.sep)
        if len(parts) > 2 and m.startswith("simgan.plugins.") and \
                m.split(".")[2] not in (parts[1], *shared):
            crossings.add((parts[1], m))
    assert crossings == set(CROSS_PLUGIN)
