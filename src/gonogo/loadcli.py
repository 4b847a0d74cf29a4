"""``gonogo load accept RUN_ID`` and ``gonogo load plan``: the load stage's baseline and plan.

Accepting is explicit, never automatic: it copies a run's ``load-summary.json`` (attached to its
``load.latency`` check) to the baseline file that run compared against, with who accepted it
and when. Only a run whose load thresholds passed can be accepted (``--force`` overrides, and
says so in the baseline). Every mistake is a :class:`ConfigError`: one line, exit 4.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
from pathlib import Path
from typing import Any

from gonogo import config, files
from gonogo.errors import ConfigError
from gonogo.loadplan import plan_of
from gonogo.probes.load_baseline import write_baseline
from gonogo.recipes.load import SUMMARY

JUDGED = ("load.latency", "load.errors", "load.throughput")


def add_parsers(
    sub: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """Register ``load accept`` and ``load plan`` on the ``gonogo`` command line."""
    load = sub.add_parser(
        "load",
        help="load stage: accept a run as the baseline, write the locust plan",
        description="`gonogo load accept RUN_ID` makes a load run the baseline later runs are "
        "compared with (load.regression); `gonogo load plan --env NAME` writes the plan "
        "load/locustfile.py runs (GONOGO_LOAD_PLAN) for a standalone or distributed locust.",
    )
    actions = load.add_subparsers(dest="load_command", metavar="ACTION", parser_class=parser_class)
    accept = actions.add_parser(
        "accept", parents=[common], help="accept a run's load measurements as the baseline"
    )
    accept.add_argument("run_id", metavar="RUN_ID", help="a run directory name under reports/")
    accept.add_argument("--env", metavar="NAME", help="its environment (default: any that has it)")
    accept.add_argument("--reports", type=Path, help="reports directory (default: ./reports)")
    accept.add_argument("--by", help="who accepts it (default: the login name)")
    accept.add_argument(
        "--force", action="store_true", help="accept even though a load threshold failed"
    )
    plan = actions.add_parser(
        "plan", parents=[common], help="write the locust plan of an environment's [load]"
    )
    target = plan.add_mutually_exclusive_group(required=True)
    target.add_argument("--env", metavar="NAME", help="environments/NAME.toml")
    target.add_argument("--env-file", metavar="PATH", help="any environment file")
    plan.add_argument(
        "-o", "--output", type=Path, required=True, help="write here (mode 0600: may hold a secret)"
    )


def run(args: argparse.Namespace, root: Path) -> int:
    if args.load_command == "accept":
        return _accept(args, root)
    if args.load_command == "plan":
        return _plan(args, root)
    raise ConfigError("gonogo load: give an action: accept RUN_ID or plan --env NAME")


def _run_dir(args: argparse.Namespace, root: Path) -> Path:
    reports = args.reports or Path.cwd() / "reports"
    if not reports.is_dir() and args.reports is None:
        reports = root / "reports"
    envs = [reports / args.env] if args.env else sorted(p for p in reports.glob("*") if p.is_dir())
    found = [e / args.run_id for e in envs if (e / args.run_id / "evidence.json").is_file()]
    if len(found) != 1:
        where = f"{reports}/{args.env or '*'}/{args.run_id}"
        raise ConfigError(
            f"no run {where} with an evidence.json"
            if not found
            else f"run {args.run_id} is in several environments: give --env"
        )
    return found[0]


def _accept(args: argparse.Namespace, root: Path) -> int:
    run_dir = _run_dir(args, root)
    evidence = json.loads(files.read_text(run_dir / "evidence.json", what="evidence"))
    checks = {c["id"]: c for c in evidence.get("checks", [])}
    failed = [cid for cid in JUDGED if checks.get(cid, {}).get("outcome") != "passed"]
    if failed and not args.force:
        raise ConfigError(
            f"run {args.run_id}: {', '.join(failed)} did not pass; accept it anyway with --force"
        )
    attached = [
        a for a in checks.get("load.latency", {}).get("attachments", []) if a["name"] == SUMMARY
    ]
    if not attached:
        raise ConfigError(f"run {args.run_id} has no {SUMMARY} (was load.latency run?)")
    summary = json.loads(files.read_text(run_dir / attached[0]["file"], what="load summary"))
    if summary.get("aborted"):
        raise ConfigError(f"run {args.run_id} stopped early ({summary['aborted']}): not a baseline")
    by = args.by or os.environ.get("GONOGO_ACCEPTED_BY") or getpass.getuser()
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    path = Path(summary["baseline_file"])
    if args.force and failed:
        by = f"{by} (forced: {', '.join(failed)} did not pass)"
    write_baseline(path, summary, run_id=args.run_id, accepted_by=by, accepted_at=at)
    total = summary["total"]
    print(
        f"{path}: baseline is run {args.run_id} (accepted by {by} at {at}): "
        f"p95 {total['p95_ms']} ms, average {total['avg_ms']} ms, {total['rps']} req/s, "
        f"{total['failures']} of {total['requests']} failed"
    )
    return 0


def _plan(args: argparse.Namespace, root: Path) -> int:
    path = config.resolve_path(args.env, args.env_file, root / "environments")
    env = config.load(path)
    cfg, web = env.config.load, env.config.web
    if cfg is None or web is None:
        raise ConfigError(f"{path}: declares no [load] and [web]")
    args.output.touch(mode=0o600)  # may hold the login's secret: never printed
    args.output.write_text(
        plan_of(cfg, web.ca_bundle, env.config.smoke.endpoints or []).to_json() + "\n",
        encoding="utf-8",
    )
    print(f"{args.output}: plan of {len(cfg.scenarios)} scenarios for {web.base_url}")
    return 0
