"""The ``tunesmith`` command: run the demo study; summarise, export, report, back up,
recover or view a stored project in TensorBoard; serve a live dashboard of them."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path


def _demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    if args.workload == "cifar10":
        from tunesmith.studies import cifar10

        cifar10.run_from_args(args)
    else:
        from tunesmith.studies import breast_cancer

        breast_cancer.run_from_args(args)
    return 0


def _project_dir(path: str) -> Path:
    """The project under ``path``; every command's one StoreError (exit code 2) if none."""
    from tunesmith.store import require_store

    return require_store(Path(path))


def _open(path: str):
    from tunesmith.oracles import load_oracle
    from tunesmith.store import Store

    store = Store.open_read_only(_project_dir(path))  # readers never write
    return store, load_oracle(store)


def _summary(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tunesmith._tradeoffs import summary_lines
    from tunesmith.execution import results_summary_text

    store, oracle = _open(args.directory)
    text = results_summary_text(oracle, store.project_dir, args.num_trials)
    # Every objective, the front, the constraints broken, the trials not run here.
    extra = summary_lines(store.load_study() or {}, store.trial_records())
    if extra:
        text += "\n\n" + "\n".join(extra)
    Console(highlight=False).print(text, markup=False, soft_wrap=True)
    return 0


def _export(args: argparse.Namespace) -> int:
    store, _ = _open(args.directory)
    if args.output == "-":  # the usual convention: stdout, for a pipe
        sys.stdout.write(store.export_text(args.format))
        return 0
    output = Path(args.output) if args.output else store.project_dir / f"results.{args.format}"
    written = store.export(output, args.format)
    print(f"Wrote {written}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from tunesmith.report import write_report

    written = write_report(_project_dir(args.directory), args.output, title=args.title)
    print(f"Wrote {written}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    store, _ = _open(args.directory)
    with store:
        written = store.backup(args.destination)
    print(f"Wrote {written}; it is a complete project: tunesmith summary {written}")
    return 0


def _recover(args: argparse.Namespace) -> int:
    from tunesmith.store import recover

    project_dir = _project_dir(args.directory)
    done = recover(project_dir)
    moved = ", ".join(done.moved_folders) or "none"
    print(
        f"Rebuilt {project_dir} with the {done.trials} trial(s) it could read. The damaged "
        f"files, and the folders of trials the database had lost ({moved}), are kept in "
        f"{done.kept_at}. Run the same search again to resume."
    )
    return 0


def _tensorboard(args: argparse.Namespace) -> int:
    from tunesmith.tensorboard import export_store

    try:
        project_dir = _project_dir(args.directory)
        written = export_store(project_dir, args.logdir, overwrite=args.overwrite)
    except FileExistsError as exc:
        print(f"tunesmith: {exc} On the command line: --overwrite.", file=sys.stderr)
        return 2
    print(f"Wrote {written}; view it with: tensorboard --logdir {written}")
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    from tunesmith.store import no_project_message

    if not Path(args.directory).expanduser().is_dir():
        # An existing folder may hold no project yet (the dashboard waits for them).
        print(f"tunesmith: {no_project_message(args.directory)}", file=sys.stderr)
        return 2
    try:
        from tunesmith.web import DashboardServer, print_banner
    except ImportError as exc:
        print(f"tunesmith: {exc}", file=sys.stderr)
        return 2
    try:
        server = DashboardServer(
            Path(args.directory),
            host=args.host,
            port=args.port,
            allow_remote=args.allow_remote,
            token=args.token,
            root_path=args.root_path,
        )
    except (ValueError, OSError) as exc:
        print(f"tunesmith: {exc}", file=sys.stderr)
        return 2
    print_banner(server)
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    server.serve_forever()
    return 0


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, but not a default of None (nothing to show), and
    descriptions taken from docstrings without their reStructuredText literals' marks."""

    def format_help(self) -> str:
        return super().format_help().replace("``", "")

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text  # nothing to show, a flag, or a help that names it already
        return super()._get_help_string(action) or ""


def build_parser() -> argparse.ArgumentParser:
    from tunesmith import __version__

    parser = argparse.ArgumentParser(
        prog="tunesmith", description=__doc__, formatter_class=_HelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"tunesmith {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    # Every command's --help shows its defaults (this object's method, replaced).
    commands.add_parser = functools.partial(  # type: ignore[method-assign]
        commands.add_parser, formatter_class=_HelpFormatter
    )

    demo = commands.add_parser(
        "demo",
        help="run a reference study: the breast-cancer MLP (W1, default) or CIFAR-10 (W2)",
        description="Without a study name: the breast-cancer MLP (W1) on embedded data.",
    )
    from tunesmith.studies import breast_cancer, cifar10

    # The W1 options stay on `demo` itself, so `tunesmith demo --max-trials 3` keeps working.
    breast_cancer.add_arguments(demo)
    demo.set_defaults(run=_demo, workload="breast_cancer")
    # `workload`, not `study`: the CIFAR-10 study has its own --study option.
    studies = demo.add_subparsers(dest="workload", metavar="{breast_cancer,cifar10}")
    studies.add_parser = functools.partial(  # type: ignore[method-assign]  # as above
        studies.add_parser, formatter_class=_HelpFormatter
    )
    breast_cancer.add_arguments(
        studies.add_parser("breast_cancer", help="the breast-cancer MLP (W1), random search")
    )
    cifar10.add_arguments(
        studies.add_parser(
            "cifar10",
            help="dense nets, training setup and a CNN on CIFAR-10 (W2); digits when it is absent",
        )
    )

    summary = commands.add_parser("summary", help="results summary of a stored project")
    summary.add_argument("directory", help="<directory>/<project_name> of a search")
    summary.add_argument("-n", "--num-trials", type=int, default=10, help="trials to show")
    summary.set_defaults(run=_summary)

    export = commands.add_parser("export", help="export a stored project's trials")
    export.add_argument("directory", help="<directory>/<project_name> of a search")
    export.add_argument(
        "--format",
        choices=["csv", "json"],
        default="csv",
        help="csv: one row per trial; json: everything, with the curves",
    )
    export.add_argument(
        "-o", "--output", help="file to write, - for stdout (default: in the project folder)"
    )
    export.set_defaults(run=_export)

    report = commands.add_parser("report", help="write a stored project's HTML report")
    report.add_argument("directory", help="<directory>/<project_name> of a search")
    report.add_argument("-o", "--output", help="HTML file to write (default: report.html in it)")
    report.add_argument("--title", help="page title (default: the project's name)")
    report.set_defaults(run=_report)

    backup = commands.add_parser(
        "backup",
        help="copy a project safely (database with SQLite's backup API, and trials/)",
        description="Safe while a search runs: copying tunesmith.db alone misses the trials "
        "still in its -wal file.",
    )
    backup.add_argument("directory", help="<directory>/<project_name> of a search")
    backup.add_argument("destination", help="a new or empty folder for the copy")
    backup.set_defaults(run=_backup)

    rescue = commands.add_parser(
        "recover",
        help="rebuild a store refused as damaged from what is readable, keeping a copy",
        description="For a store whose -wal file is damaged, or whose trials/ holds "
        "trials the database lost: the damaged files and those trials' folders are "
        "moved into damaged-<time>/ inside the project, nothing is deleted.",
    )
    rescue.add_argument("directory", help="<directory>/<project_name> of a search")
    rescue.set_defaults(run=_recover)

    board = commands.add_parser(
        "tensorboard", help="write a stored project as TensorBoard logs (curves and HParams)"
    )
    board.add_argument("directory", help="<directory>/<project_name> of a search")
    board.add_argument("--logdir", required=True, help="folder to write the event files to")
    board.add_argument("--overwrite", action="store_true", help="replace event files there")
    board.set_defaults(run=_tensorboard)

    live = commands.add_parser(
        "dashboard", help="serve a live dashboard of every project under a folder"
    )
    live.add_argument("directory", nargs="?", default=".", help="folder holding the projects")
    live.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    live.add_argument("--host", default="127.0.0.1", help="address to listen on")
    live.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host reachable from other machines (a token is then required)",
    )
    live.add_argument("--token", help="the token to require (default: a random one, off-machine)")
    live.add_argument(
        "--root-path",
        default="",
        help="path prefix a reverse proxy serves it under, e.g. /proxy/8765 (Jupyter)",
    )
    live.add_argument("--open", action="store_true", help="open it in the web browser")
    live.set_defaults(run=_dashboard)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tunesmith.errors import StoreError

    try:
        return args.run(args)
    except KeyboardInterrupt:
        # Ctrl-C: the search printed how to resume; no traceback, the shell's status.
        print("tunesmith: interrupted.", file=sys.stderr)
        return 130
    except StoreError as exc:
        print(f"tunesmith: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if hasattr(args, "output") and exc.filename is not None:
            # Most often the default output, inside a project folder that is read-only.
            print(
                f"tunesmith: cannot write {exc.filename} ({exc.strerror or exc}); "
                "write the output elsewhere with -o PATH.",
                file=sys.stderr,
            )
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
