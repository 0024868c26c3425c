"""Every repository path the docs name exists: a file moved or renamed without its docs fails
here (CHANGELOG.md, a history, is left out)."""

import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATH = re.compile(r"(?<![\w/.-])((?:tests|core|io|configs|plugins|tools|api)/[\w/]+\.(?:py|gin))\b")


def test_every_path_named_in_the_docs_exists():
    docs = [os.path.join(REPO, "README.md")] + [
        os.path.join(REPO, "docs", name) for name in sorted(os.listdir(os.path.join(REPO, "docs")))
        if name.endswith(".md")]
    missing = sorted({f"{os.path.relpath(doc, REPO)}: {path}" for doc in docs
                      for path in PATH.findall(open(doc, encoding="utf-8").read())
                      if not os.path.exists(os.path.join(REPO, path))})
    assert not missing, f"the docs name paths that do not exist: {missing}"
