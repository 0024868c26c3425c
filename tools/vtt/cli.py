"""`simgan-vtt`: starts a visual Turing test study, or prints and exports its report.

    simgan-vtt --real=DIR --refined=DIR --results=DIR [--port=8000 ...]   serve the study
    simgan-vtt report --results=DIR                                       print stats, write CSV

Restarting with the same --results folder (and the same images and design) resumes the study.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
from typing import Any, Sequence

from absl import flags, logging

from simgan.plugins import extras
from simgan.tools import cli
from simgan.tools.vtt.study import Design

DB_NAME = "vtt.sqlite3"
KEY_NAME = "results_key"
LOCALHOSTS = ("127.0.0.1", "localhost", "::1")
REPORT = "report"
FLAGS = flags.FLAGS


def define_flags() -> None:
    defaults = Design()
    flags.DEFINE_string("real", None, "Folder of real images (PNG/JPG); serving only.")
    flags.DEFINE_string("refined", None, "Folder of refined (or raw synthetic) images (PNG/JPG); "
                        "serving only.")
    flags.DEFINE_string("results", None, "Folder for the study database; reuse it to resume "
                        "the study.")
    flags.mark_flag_as_required("results")
    flags.DEFINE_string("host", "127.0.0.1", "Address to bind; anything but localhost exposes "
                        "the study.")
    flags.DEFINE_integer("port", 8000, "Port (0: any free port).")
    flags.DEFINE_multi_string("public_url", [], "URL participants use when it is not "
                              "http://HOST:PORT (another name, a proxy); only requests for the "
                              "bound address and these URLs are answered (repeatable).")
    flags.DEFINE_integer("images_per_participant", defaults.images_per_participant,
                         "Test images each participant labels.")
    flags.DEFINE_float("real_fraction", defaults.real_fraction,
                       "Share of real images in each participant's sequence.")
    flags.DEFINE_integer("examples_per_domain", defaults.examples_per_domain,
                         "Real and refined examples always shown beside the test image.")
    flags.DEFINE_integer("scale", 4, "Integer upscaling of the images on screen (nearest "
                         "neighbour).")
    cli.define_seed("the examples and every participant's sequence")
    flags.DEFINE_string("csv_dir", None, "report: where to write answers.csv and "
                        "participants.csv (default: the results folder).")


def results_key(results_dir: str) -> str:
    """The key that unlocks the results pages, made once per results folder (mode 0600,
    written atomically). An empty key file (left by a crash or a full disk before an older
    version wrote it) never unlocked anything, so a new key replaces it: the results are never
    served without a key."""
    from simgan.io.files import atomic_write_text  # pylint: disable=import-outside-toplevel

    path = os.path.join(results_dir, KEY_NAME)
    try:
        with open(path, encoding="utf-8") as f:
            key = f.read().strip()
    except FileNotFoundError:
        key = None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: cannot read the results key ({e}); delete the file to make "
                         "a new key") from e
    if key:
        return key
    if key is not None:
        logging.warning("%s is empty; making a new results key", path)
    key = secrets.token_urlsafe(16)
    atomic_write_text(path, key + "\n", private=True)
    return key


def study_origins(host: str, port: int, public_urls: Sequence[str] = ()) -> list[str]:
    """The origins the study answers under: the bound address (and the loopback names when it
    is bound to loopback or to every interface) plus the public URLs given."""
    names = [host]
    if host in LOCALHOSTS or host in ("0.0.0.0", "::", ""):
        names += LOCALHOSTS
    from simgan.tools.vtt.app import origin_of  # pylint: disable=import-outside-toplevel  (flask)

    origins = [f"http://[{n}]:{port}" if ":" in n else f"http://{n}:{port}" for n in names if n]
    for url in public_urls:
        try:
            origins.append(origin_of(url))
        except ValueError as e:
            raise ValueError(f"--public_url: {e}") from e
    return origins


def serve(args: Any) -> None:
    """Serves the study; ``args`` has the attributes of the flags (e.g. FLAGS)."""
    extras.require("flask", "vtt", "simgan-vtt's web app")
    # pylint: disable=import-outside-toplevel  (tools/cli.py: --help without TensorFlow)
    from werkzeug.serving import make_server

    from simgan.tools.vtt.app import ORIGINS, create_app
    from simgan.tools.vtt.images import Catalog
    from simgan.tools.vtt.store import Store
    from simgan.tools.vtt.study import Study

    for name in ("real", "refined"):
        if getattr(args, name) is None:
            raise ValueError(f"--{name} is required to serve a study (or run "
                             f"`simgan-vtt {REPORT} --results=DIR`)")
    catalog = Catalog(args.real, args.refined, scale=args.scale)
    design = Design(args.images_per_participant, args.real_fraction, args.examples_per_domain,
                    args.seed)
    study = Study(catalog, design)
    os.makedirs(args.results, exist_ok=True)
    store = Store(os.path.join(args.results, DB_NAME))
    key = results_key(args.results)
    if args.host not in LOCALHOSTS:
        logging.warning("Binding to %s: anyone who can reach this address can take part.",
                        args.host)
    app = create_app(study, store, key)
    server = make_server(args.host, args.port, app, threaded=True)
    origins = study_origins(args.host, server.server_port, args.public_url)
    app.config[ORIGINS] = origins  # the port is known once bound (--port=0)
    logging.info("Answering requests for %s only (add others with --public_url)",
                 ", ".join(origins))
    url = f"http://{args.host}:{server.server_port}"
    logging.info("Visual Turing test: %d real and %d refined images; results in %s",
                 len(catalog.records["real"]), len(catalog.records["refined"]), args.results)
    logging.info("Study:   %s/", url)
    logging.info("Results: %s/results?key=%s", url, key)
    # Served from a thread: werkzeug's serve_forever swallows KeyboardInterrupt, so the main
    # thread waits, gets Ctrl-C or SIGTERM, and stops the server (cli.run prints the line).
    thread = threading.Thread(target=server.serve_forever, name="vtt-server", daemon=True)
    thread.start()
    try:
        thread.join()
    finally:
        server.shutdown()
        server.server_close()


def report(args: Any) -> None:
    """Prints a study's statistics and writes its CSV files; ``args`` as for `serve`."""
    # pylint: disable=import-outside-toplevel  (tools/cli.py: --help without TensorFlow)
    from simgan.io.files import atomic_write_text
    from simgan.tools.vtt import stats
    from simgan.tools.vtt.store import Store

    path = os.path.join(args.results, DB_NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--results: {path} does not exist; is {args.results!r} a "
                                "study folder?")
    store = Store(path, read_only=True)
    answers = store.answers()
    summary = stats.summarize(answers, store.progress())
    sys.stdout.write(stats.format_report(summary))
    csv_dir = args.csv_dir or args.results
    for name, text in (("answers.csv", stats.answers_csv(answers)),
                       ("participants.csv", stats.participants_csv(summary))):
        atomic_write_text(os.path.join(csv_dir, name), text)
        sys.stdout.write(f"Wrote {os.path.join(csv_dir, name)}\n")


def main(argv: list[str]) -> None:
    if not FLAGS["verbosity"].present:  # the study and results URLs are INFO lines
        logging.set_verbosity(logging.INFO)
    if argv[1:] == [REPORT]:
        report(FLAGS)
    else:
        cli.no_arguments(argv)
        serve(FLAGS)


def run() -> None:
    cli.run("simgan-vtt", define_flags, main)


if __name__ == "__main__":
    run()
