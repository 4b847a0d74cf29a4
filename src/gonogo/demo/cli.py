"""``gonogo demo up|down|status|faults``: the demo stack from the shell.

``up`` starts the stack and leaves it running after the command exits; its state file (default
``<project>/.demo/current.json``, a link to the run's ``state.json``) is how ``down``,
``status`` and ``gonogo --env demo`` find it again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.commandline import Parser
from gonogo.demo import faults as catalogue
from gonogo.demo import orphans
from gonogo.demo.layout import default_state_file, remove_home_if_empty
from gonogo.demo.procs import alive
from gonogo.demo.stack import DemoStack, ForeignState
from gonogo.errors import DemoError, GonogoError

if TYPE_CHECKING:
    from gonogo.catalogue import Catalogue
    from gonogo.demo.faults import Fault

STATE_ENV = "GONOGO_DEMO_STATE"


def _state_path(value: str | None) -> Path:
    if value:
        return Path(value)
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    return default_state_file()


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="gonogo demo", description="The embedded demo stack.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    up = sub.add_parser("up", help="start the stack in the background")
    up.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="inject a fault at start (repeatable; see `gonogo demo faults`)",
    )
    up.add_argument("--keep", action="store_true", help="keep the run directory at `down`")
    up.add_argument(
        "--base-dir", type=Path, help="where run directories go (default <project>/.demo)"
    )
    up.add_argument(
        "--state",
        help=f"state file link to write (default ${STATE_ENV} or <project>/.demo/current.json)",
    )
    for name, text in (
        ("down", "stop the stack and remove its run directory"),
        ("status", "show the stack's processes, ports and faults"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--state", help="state file (default as for `up`)")
    sub.add_parser("faults", help="list the injectable faults")
    return parser


def main(argv: list[str]) -> int:
    """Entry point; ``argv`` excludes the program name (a leading ``demo`` is accepted)."""
    if argv[:1] == ["demo"]:
        argv = argv[1:]
    args = _parser().parse_args(argv)
    try:
        if args.command == "faults":
            return _faults()
        if args.command == "up":
            return _up(args)
        try:
            stack = DemoStack.attach(_state_path(args.state))
        except ForeignState as foreign:
            if args.command != "down":
                raise
            return _down_foreign(foreign, _state_path(args.state))
        if args.command == "status":
            return _status(stack)
        return _down(stack, _state_path(args.state))
    except GonogoError as err:
        print(f"gonogo demo {args.command}: {err}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        # the stack already said what it stopped and removed; no traceback
        print(f"gonogo demo {args.command}: interrupted", file=sys.stderr)
        return 2


def _up(args: argparse.Namespace) -> int:
    link = _state_path(args.state)
    if link.exists():
        try:
            running = DemoStack.attach(link)
        except GonogoError:
            running = None
        if running is not None and any(alive(pid) for pid in running.pids.values() if pid):
            print(
                f"gonogo demo up: a stack is already running ({link}); `gonogo demo down` first",
                file=sys.stderr,
            )
            return 4
    stack = DemoStack.start(
        base_dir=args.base_dir,
        faults=args.fault,
        keep=args.keep,
        progress=lambda message: print(message, file=sys.stderr),
    )
    stack.detach()
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(stack.state_file)
    print(f"export {STATE_ENV}={link}")
    _urls(stack)
    return 0


def _urls(stack: DemoStack) -> None:
    v = stack.variables()
    rows = [
        ("site", v["GONOGO_DEMO_BASE_URL"]),
        ("http", v["GONOGO_DEMO_HTTP_URL"]),
        ("app (direct)", v["GONOGO_DEMO_APP_URL"]),
        ("metrics", v["GONOGO_DEMO_METRICS_URL"]),
        (
            "postgres",
            f"127.0.0.1:{v['GONOGO_DEMO_PG_PORT']} (standby :{v['GONOGO_DEMO_PG_STANDBY_PORT']})",
        ),
        (
            "redis",
            f"127.0.0.1:{v['GONOGO_DEMO_REDIS_PORT']} "
            f"(replica :{v['GONOGO_DEMO_REDIS_REPLICA_PORT']})",
        ),
        ("CA bundle", v["GONOGO_DEMO_CA_BUNDLE"]),
        ("backups", v["GONOGO_DEMO_BACKUPS_DIR"]),
        ("faults", v["GONOGO_DEMO_FAULTS"] or "none"),
    ]
    for label, value in rows:
        print(f"# {label:<13} {value}")


def _status(stack: DemoStack) -> int:
    print(f"run dir: {stack.run_dir}")
    down = 0
    for component, pid in sorted(stack.pids.items()):
        state = "running" if pid and alive(pid) else "stopped"
        down += state == "stopped"
        print(f"  {component:<17} pid {pid:<7} {state}")
    _urls(stack)
    return 0 if down == 0 else 1


def _down(stack: DemoStack, link: Path) -> int:
    stack.stop()
    if link.is_symlink() and (not link.exists() or link.resolve() == stack.state_file.resolve()):
        link.unlink()
        remove_home_if_empty(link.parent)
    print(
        f"stopped; removed {stack.run_dir}"
        if not stack.run_dir.exists()
        else f"stopped; kept {stack.run_dir}"
    )
    return 0


def _down_foreign(foreign: ForeignState, link: Path) -> int:
    """Stop a stack whose state file this version cannot read: by its ledger (each entry
    still the same process: PID, start time, command line), never by name."""
    entries = orphans.ledger(foreign.run_dir)
    if not entries:
        raise DemoError(f"{foreign}; but {foreign.run_dir} has no ledger: stop its servers by PID")
    stopped = orphans.stop_all(entries)
    shutil.rmtree(foreign.run_dir, ignore_errors=True)
    if link.is_symlink() or link.exists():
        link.unlink()
        remove_home_if_empty(link.parent)
    print(f"stopped {len(stopped)} processes of an older stack; removed {foreign.run_dir}")
    return 0


def _faults() -> int:
    from gonogo import catalogue as checks
    from gonogo import suite

    width = shutil.get_terminal_size((120, 24)).columns  # 120 when piped
    faults = sorted(catalogue.FAULTS.values(), key=lambda f: (f.component, f.name))
    print(fault_table(faults, checks.load(suite.find() / "catalogue"), width), end="")
    return 0


def fault_table(faults: Sequence[Fault], cat: Catalogue, width: int) -> str:
    """Every fault as a table: name, what it breaks (wrapped to fit ``width``), the checks it
    flips with the severity each counts with, and the verdict of a demo run with it alone.

    Columns are as wide as their longest value, so long names stay aligned; only the
    description wraps. A terminal too narrow for the columns (with 30 characters left for the
    description) gets one block per fault instead, wrapped to ``width``.
    """
    rows = []
    for fault in faults:
        found = catalogue.severities(fault, cat)
        shown = [
            f"{sev}" + ("" if sev is cat.spec(c).severity else "*") for c, sev in found.items()
        ]
        rows.append((fault, list(found), shown, catalogue.expected_verdict(fault, cat)))
    head = ("fault", "what it breaks", "checks it flips", "severity", "verdict")
    w_name = max(len(head[0]), *(len(f.name) for f in faults))
    w_check = max(len(head[2]), *(len(c) for _, checks, _, _ in rows for c in checks))
    w_sev = max(len(head[3]), *(len(s) for _, _, shown, _ in rows for s in shown))
    w_verdict = max(len(head[4]), *(len(v) for *_, v in rows))
    longest = max(len(f.description) for f in faults)
    w_text = min(longest, width - w_name - w_check - w_sev - w_verdict - 8)
    if w_text < 30:
        return _fault_blocks(rows, width)

    def line(name: str, text: str, check: str, sev: str, verdict: str) -> str:
        cells = (f"{name:<{w_name}}", f"{text:<{w_text}}", f"{check:<{w_check}}", f"{sev:<{w_sev}}")
        return "  ".join((*cells, verdict)).rstrip() + "\n"

    out = [line(*head), line(*("-" * w for w in (w_name, w_text, w_check, w_sev, w_verdict)))]
    component = None
    for fault, checks, shown, verdict in rows:
        if fault.component != component:
            component = fault.component
            out.append(f"[{component}]\n")
        text = textwrap.wrap(fault.description, w_text, break_on_hyphens=False) or [""]
        for i in range(max(len(text), len(checks))):
            out.append(
                line(
                    fault.name if i == 0 else "",
                    text[i] if i < len(text) else "",
                    checks[i] if i < len(checks) else "",
                    shown[i] if i < len(shown) else "",
                    verdict if i == 0 else "",
                )
            )
    return "".join(out) + _legend(width)


def _legend(width: int) -> str:
    return "\n" + "".join(
        textwrap.fill(text, width) + "\n"
        for text in (
            "verdict: of a demo run with only this fault (pytest --env demo --demo-fault NAME);",
            "severity: what each check counts with; * where the fault's findings set it (the "
            "check's catalogue severity differs: a certificate 20 days from expiry is a major "
            "finding of the blocker check tls.cert-expiry).",
        )
    )


def _fault_blocks(rows: list[tuple[Fault, list[str], list[str], str]], width: int) -> str:
    """The fault table for a narrow terminal: a block per fault, every line within ``width``."""
    out: list[str] = []
    wrap = max(width - 4, 20)
    for fault, checks, shown, verdict in rows:
        head = f"{fault.name} ({fault.component}): {verdict}"
        out += [f"{part}\n" for part in textwrap.wrap(head, width, subsequent_indent="    ")]
        out += [f"    {part}\n" for part in textwrap.wrap(fault.description, wrap)]
        for check, sev in zip(checks, shown, strict=True):
            lines = textwrap.wrap(f"- {check}: {sev}", width - 2, subsequent_indent="    ")
            out += [f"  {part}\n" for part in lines]
    return "".join(out) + _legend(width)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
