"""Parses every run's configuration once before a grid starts, so a typo in a variant file or a
swept binding fails in one line naming the run, the file and the binding, instead of failing
every run of the grid one after another.

The parse runs in a child process with the grid's plugins loaded after what simgan-train
registers: gin and the plugins' imports stay out of the runner (which holds no TensorFlow
context, so it never claims GPU memory the runs need). Each distinct configuration (the gin
files and bindings; seeds do not change it) is parsed once, then gin's config is cleared.

    python -m simgan.tools.ablate.check < {"plugins": [...], "runs": [Run.to_json(), ...]}
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Sequence

from simgan.tools.ablate.plan import PlanError, Run

_PREFIX = "simgan-ablate-check: "


def distinct(runs: Sequence[Run]) -> list[Run]:
    """The first run of each distinct configuration (gin files and bindings), in order."""
    seen, result = set(), []
    for run in runs:
        if (run.gin_files, run.gin_params) not in seen:
            seen.add((run.gin_files, run.gin_params))
            result.append(run)
    return result


def check(runs: Sequence[Run], plugins: Sequence[str], python: str = sys.executable) -> None:
    """Parses the configuration of every run in a child process; raises PlanError with the
    first problem (``Run <name>: <what gin says, with the file, line and binding>``)."""
    request = json.dumps({"plugins": list(plugins), "runs": [r.to_json() for r in distinct(runs)]})
    result = subprocess.run([python, "-m", "simgan.tools.ablate.check"], input=request,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line[len(_PREFIX):] for line in result.stderr.splitlines()
                 if line.startswith(_PREFIX)]
        raise PlanError(lines[-1] if lines else
                        f"checking the grid's configurations failed (exit status "
                        f"{result.returncode}): {result.stderr.strip()[-2000:]}")


def main() -> None:
    """The child: loads the plugins, parses each run's configuration, reports the first error."""
    from simgan.tools import cli  # pylint: disable=import-outside-toplevel

    cli.quiet_tensorflow([])
    # pylint: disable=import-outside-toplevel
    import gin

    import simgan.core.engine.loop  # noqa: F401  registers what the engine configures
    from simgan.configs import parsing
    from simgan.plugins import loading

    request = json.load(sys.stdin)
    run = None
    try:
        loading.load_all(request["plugins"])
        for record in request["runs"]:
            run = Run.from_json(record)
            try:
                parsing.parse(run.gin_files, run.gin_params)
            finally:
                gin.clear_config()
    except Exception as e:  # pylint: disable=broad-except  (reported as the run's one line)
        message = " ".join(str(e).split()) or type(e).__name__
        if run is not None:
            parsed = "" if isinstance(e, parsing.ConfigError) else (
                f" (parsing {', '.join(run.gin_files) or 'no gin file'} with the bindings "
                f"{list(run.gin_params)})")
            message = f"run {run.name}: {type(e).__name__}: {message}{parsed}" if parsed \
                else f"run {run.name}: {message}"
        print(f"{_PREFIX}{message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
