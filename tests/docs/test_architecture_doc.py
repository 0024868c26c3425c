"""docs/ARCHITECTURE.md's map stays current: every module of core/, io/ and configs/ and every
plugin is in it."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_map_names_every_engine_and_library_module_and_every_plugin():
    text = open(os.path.join(REPO, "docs", "ARCHITECTURE.md"), encoding="utf-8").read()
    missing = []
    for root, _, names in (w for top in ("core", "io", "configs")
                           for w in os.walk(os.path.join(REPO, top))):
        for name in names:
            stem = name[:-3]
            if name.endswith(".py") and name != "__init__.py" and \
                    f"{stem}.py" not in text and f" {stem}" not in text and f"{stem}," not in text:
                missing.append(os.path.relpath(os.path.join(root, name), REPO))
    plugins = os.path.join(REPO, "plugins")
    missing += [f"plugins/{p}" for p in os.listdir(plugins)
                if os.path.isdir(os.path.join(plugins, p)) and not p.startswith("__")
                and f"{p}/" not in text]
    assert not missing, f"docs/ARCHITECTURE.md does not name {missing}"
