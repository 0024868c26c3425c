"""`python -m simgan <command>`: the same as the `simgan` command (tools/main.py)."""

from simgan.tools.main import run

if __name__ == "__main__":
    run()
