"""The ``gonogo`` command: catalogue, environment validation and the demo stack.

The gate itself runs through pytest (``pytest -m predeploy --env prod``); ``gonogo gate`` is the
same thing for people who prefer one entry point.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gonogo import __version__, config, suite
from gonogo import catalogue as catalogue_mod
from gonogo import loadcli as load_cli
from gonogo.commandline import Parser
from gonogo.errors import ConfigError
from gonogo.plans import cli as plans_cli

DESCRIPTION = """\
gonogo: a release-readiness gate. Deployment-plan checklist items run as checks against a
named environment and end in a verdict a release manager can sign: GO, CONDITIONAL or NO-GO.

  pytest -m predeploy --env prod      CI gate before the release (exit 0 = GO, 1 = NO-GO)
  pytest -m smoke --env prod          right after the deploy
  pytest --env demo                   everything, against the embedded demo stack
  reports/<env>/latest/report.html    the sign-off page

  gonogo gate -m predeploy --env prod  the same as pytest, every argument passed through
  gonogo plan import PLAN.md          your markdown plan as plans/<name>.toml (docs/plans.md)
  gonogo plan show                    per-plan counts: items, automated, manual, not applicable
  gonogo attest ITEM --by NAME --note TEXT --env ENV   a person checked a manual item

Exit codes: 0 GO (or CONDITIONAL), 1 NO-GO (or CONDITIONAL with --conditional-fails; also when
no check was verified), 2 interrupted (Ctrl-C or SIGTERM), 3 internal error, 5 ROLL BACK (a
post-deploy rollback criterion failed), 4 configuration error before any check runs (a bad file, key, port or placeholder, an unknown check id, a host
name that does not resolve, a path such as ca_bundle that does not exist, an unknown marker in
-m, a mistake on this command line). A host that refuses or does not
answer is not a configuration error: its checks end as `error` (NO-GO when one is a blocker),
after one timeout per run; a check file that does not import is NO-GO naming the file.
"""


SUITE_HELP = (
    "the suite: the directory with catalogue/ and pyproject.toml (default: the one at or above "
    "the working directory, else the source tree of an editable install of gonogo)"
)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="gonogo", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"gonogo {__version__}")
    parser.add_argument("--suite", type=Path, metavar="PATH", help=SUITE_HELP)
    # also accepted after the command (`gonogo gate --suite PATH ...`)
    common = Parser(add_help=False)
    common.add_argument(
        "--suite", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=SUITE_HELP
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    checks = sub.add_parser(
        "checks", parents=[common], help="list every check id with its severity and title"
    )
    checks.add_argument(
        "--markdown", action="store_true", help="print the catalogue page (docs/checks.md)"
    )
    checks.add_argument(
        "--catalogue", type=Path, help="catalogue file or directory (default: ./catalogue)"
    )

    envs = sub.add_parser(
        "envs", parents=[common], help="list the environment files in environments/"
    )
    envs.add_argument("--dir", type=Path, help="directory of environment files")
    envs.add_argument(
        "--reference",
        action="store_true",
        help="print the environment-file reference (docs/environment-file.md)",
    )

    validate = sub.add_parser(
        "validate",
        parents=[common],
        help="load and validate an environment file without running checks",
        description="Load and validate an environment file without running anything: TOML, "
        "keys and types, ports, placeholders, waivers and [checks] ids against the catalogue. "
        "Secrets need not be at hand: a missing secrets_file and unset ${VARS} are warnings "
        "(validated with placeholders); a gate run needs them.",
    )
    target = validate.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--env", metavar="NAME", help="environments/NAME.toml beside the suite (e.g. demo)"
    )
    target.add_argument("--env-file", metavar="PATH", help="any environment file")

    demo = sub.add_parser(
        "demo", help="start/stop the embedded demo stack for manual use (up, down, status, faults)"
    )
    demo.add_argument(
        "demo_args", nargs=argparse.REMAINDER, help="up [--fault NAME]... | down | status | faults"
    )

    plans_cli.add_parsers(sub, common, Parser)
    load_cli.add_parsers(sub, common, Parser)

    gate = sub.add_parser(
        "gate",
        parents=[common],
        help="run the gate: same as pytest with the given arguments (all passed through)",
    )
    gate.add_argument("pytest_args", nargs=argparse.REMAINDER, help="e.g. -m predeploy --env prod")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``gonogo ...``; output piped into a reader that stops early (``| head``) ends quietly."""
    try:
        code = _main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader is gone: no traceback, and no second error when Python flushes at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command a closed pipe ended
    return code


def _main(argv: list[str] | None = None) -> int:
    parser = _parser()
    # `gonogo gate --env demo`: argparse's REMAINDER stops short of a leading option, so what
    # it does not know goes through to pytest (or to `gonogo demo`) unchanged
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command == "gate":
        args.pytest_args = [*unknown, *args.pytest_args]
    elif unknown and args.command == "demo":
        args.demo_args = [*unknown, *args.demo_args]
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        if args.command == "checks":
            plans = None if args.catalogue else _root(args) / "plans"
            cat = catalogue_mod.load(args.catalogue or _root(args) / "catalogue", plans=plans)
            print(
                catalogue_mod.render_markdown(cat)
                if args.markdown
                else catalogue_mod.render_text(cat),
                end="\n" if not args.markdown else "",
            )
            return 0
        if args.command == "envs" and args.reference:
            from gonogo.schema.reference import render_markdown

            print(render_markdown(), end="")
            return 0
        if args.command == "envs":
            directory = args.dir or _root(args) / "environments"
            names = config.list_environments(directory)
            print("\n".join(names) if names else f"no environment files in {directory}")
            return 0
        if args.command == "validate":
            return _validate(args, _root(args))
        if args.command == "demo":
            from gonogo.demo.cli import main as demo_main

            return demo_main(args.demo_args)
        if args.command == "load":
            return load_cli.run(args, _root(args))
        if args.command in ("plan", "attest"):
            return plans_cli.run(args, _root(args))
        if args.command == "gate":
            import pytest

            return int(pytest.main(_gate_args(args)))
    except ConfigError as err:
        print(f"gonogo: error: {err}", file=sys.stderr)
        return 4
    _parser().print_help()
    return 0


def _root(args: argparse.Namespace) -> Path:
    return suite.find(given=args.suite)


def _gate_args(args: argparse.Namespace) -> list[str]:
    """pytest's arguments; outside the suite (or with ``--suite``) its ini file is named."""
    given: list[str] = args.pytest_args
    chosen = any(a in ("-c", "--config-file") or a.startswith("--config-file=") for a in given)
    if chosen or (args.suite is None and suite.upward(Path.cwd()) is not None):
        return given
    return ["-c", str(suite.config_file(_root(args))), *given]


def _validate(args: argparse.Namespace, root: Path) -> int:
    from gonogo.engine.context import faults_to_inject

    source = config.open_env(args.env, args.env_file, root / "environments")
    path, raw = source.path, dict(source.raw)
    extra: dict[str, str] = {}
    if "demo" in raw:
        # the demo stack provides these at run time: validate with what a run would export
        from gonogo.engine.context import demo_preview

        faults_to_inject(raw, path, [])
        extra = demo_preview()
    known = catalogue_mod.load(root / "catalogue")
    env = config.load(
        path, extra=extra, lenient=True, placeholders=extra, known_checks=known, raw=raw
    )
    sections = [
        name
        for name in type(env.config).model_fields
        if getattr(env.config, name, None) is not None
    ]
    for warning in env.warnings:
        print(f"gonogo validate: warning: {path}: {warning}", file=sys.stderr)
    demo = " with placeholder demo values" if extra else ""
    warned = f", {len(env.warnings)} warning{'s' if len(env.warnings) != 1 else ''}"
    print(
        f"{path}: ok{demo} (environment {env.name}, sensitive={env.sensitive}, "
        f"{len(env.secrets)} secret values{warned if env.warnings else ''}, "
        f"sections: {', '.join(sections)})"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
