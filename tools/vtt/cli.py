"""`simgan-vtt`: starts a visual Turing test study, or prints and exports its report.

    simgan-vtt --real DIR --refined DIR --results DIR [--port 8000 ...]   serve the study
    simgan-vtt report --results DIR                                      print stats, write CSV

Restarting with the same --results folder (and the same images and design) resumes the study.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import Sequence

from absl import logging
from werkzeug.serving import make_server

from simgan.core.files import atomic_write_text
from simgan.tools.vtt import stats
from simgan.tools.vtt.app import ORIGINS, create_app, origin_of
from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.store import Store
from simgan.tools.vtt.study import Design, Study

DB_NAME = "vtt.sqlite3"
KEY_NAME = "results_key"
LOCALHOSTS = ("127.0.0.1", "localhost", "::1")


def _serve_parser() -> argparse.ArgumentParser:
    defaults = Design()
    parser = argparse.ArgumentParser(
        prog="simgan-vtt", description="Serve a visual Turing test (real vs refined images). "
        "Run `simgan-vtt report --results DIR` for the statistics.")
    parser.add_argument("--real", required=True, help="folder of real images (PNG/JPG)")
    parser.add_argument("--refined", required=True,
                        help="folder of refined (or raw synthetic) images (PNG/JPG)")
    parser.add_argument("--results", required=True,
                        help="folder for the study database; reuse it to resume the study")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind; anything but localhost exposes the study")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--public_url", action="append", default=[],
                        help="URL participants use when it is not http://HOST:PORT (another "
                             "name, a proxy); only requests for the bound address and these "
                             "URLs are answered (repeatable)")
    parser.add_argument("--images_per_participant", type=int,
                        default=defaults.images_per_participant,
                        help="test images each participant labels")
    parser.add_argument("--real_fraction", type=float, default=defaults.real_fraction,
                        help="share of real images in each participant's sequence")
    parser.add_argument("--examples_per_domain", type=int, default=defaults.examples_per_domain,
                        help="real and refined examples always shown beside the test image")
    parser.add_argument("--scale", type=int, default=4,
                        help="integer upscaling of the images on screen (nearest neighbour)")
    parser.add_argument("--seed", type=int, default=defaults.seed,
                        help="draws the examples and every participant's sequence")
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simgan-vtt report", description="Print a study's statistics and export CSV.")
    parser.add_argument("--results", required=True, help="the study's results folder")
    parser.add_argument("--csv_dir", default=None,
                        help="where to write answers.csv and participants.csv "
                             "(default: the results folder)")
    return parser


def results_key(results_dir: str) -> str:
    """The key that unlocks the results pages, created once per results folder (mode 0600)."""
    path = os.path.join(results_dir, KEY_NAME)
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(16))
    with open(path) as f:
        return f.read().strip()


def study_origins(host: str, port: int, public_urls: Sequence[str] = ()) -> list[str]:
    """The origins the study answers under: the bound address (and the loopback names when it
    is bound to loopback or to every interface) plus the public URLs given."""
    names = [host]
    if host in LOCALHOSTS or host in ("0.0.0.0", "::", ""):
        names += LOCALHOSTS
    origins = [f"http://[{n}]:{port}" if ":" in n else f"http://{n}:{port}" for n in names if n]
    for url in public_urls:
        try:
            origins.append(origin_of(url))
        except ValueError as e:
            raise ValueError(f"--public_url: {e}") from e
    return origins


def serve(args: argparse.Namespace) -> None:
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
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def report(args: argparse.Namespace) -> None:
    path = os.path.join(args.results, DB_NAME)
    if not os.path.isfile(path):
        raise SystemExit(f"--results: {path} does not exist; is {args.results!r} a study folder?")
    store = Store(path)
    answers = store.answers()
    summary = stats.summarize(answers, store.progress())
    sys.stdout.write(stats.format_report(summary))
    csv_dir = args.csv_dir or args.results
    for name, text in (("answers.csv", stats.answers_csv(answers)),
                       ("participants.csv", stats.participants_csv(summary))):
        atomic_write_text(os.path.join(csv_dir, name), text)
        sys.stdout.write(f"Wrote {os.path.join(csv_dir, name)}\n")


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.set_verbosity(logging.INFO)
    try:
        if argv[:1] == ["report"]:
            report(_report_parser().parse_args(argv[1:]))
        else:
            serve(_serve_parser().parse_args(argv))
    except (ValueError, OSError) as error:  # Bad folders or options: one line, no traceback.
        raise SystemExit(f"simgan-vtt: {error}") from error


if __name__ == "__main__":
    main()
