"""``gonogo plan import|show`` and ``gonogo attest``: thin wrappers around the plans package.

Every mistake (a plan that is not a regular UTF-8 text file or is too big, a malformed
``plans/*.toml``, an unknown item id) is a :class:`ConfigError`: one line, exit 4.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from gonogo import catalogue as catalogue_mod
from gonogo import config, files
from gonogo.errors import ConfigError
from gonogo.plans import attest, ids, markdown, reimport, store, suggest
from gonogo.plans.model import MappingKind, Plan, PlanItem, Review, split_ref

MAX_PLAN_BYTES = 2 * 1024 * 1024  # the largest of the five sample plans is 30 KiB
DEFAULT_VALID_DAYS = 30


def add_parsers(
    sub: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """Register ``plan`` and ``attest`` on the ``gonogo`` command line."""
    plan = sub.add_parser(
        "plan",
        help="import a markdown deployment plan, show a plan's items and coverage",
        description="Deployment plans as data (docs/plans.md): `gonogo plan import PLAN.md` "
        "writes plans/<name>.toml, `gonogo plan show` lists the plans and their counts.",
    )
    actions = plan.add_subparsers(dest="plan_command", metavar="ACTION", parser_class=parser_class)
    importer = actions.add_parser(
        "import",
        parents=[common],
        help="import (or re-import) PLAN.md into plans/<name>.toml",
        description="Import a markdown plan: every checklist item gets a stable id, its section "
        "and a suggested mapping (checks from the catalogue's phrases, else manual). Importing "
        "again keeps the mappings and lists what changed.",
    )
    importer.add_argument("markdown", metavar="PLAN.md", type=Path, help="the plan to import")
    importer.add_argument(
        "--name", help="the plan's name (default: from its title); plans/<name>.toml"
    )
    show = actions.add_parser(
        "show",
        parents=[common],
        help="per-plan counts (items, automated, manual, not applicable); one plan's items",
    )
    show.add_argument("name", nargs="?", help="a plan name (default: every plan)")
    show.add_argument("--items", action="store_true", help="list every item with its mapping")
    hint = actions.add_parser(
        "suggest",
        parents=[common],
        help="items that catalogue checks may verify but are not mapped to them (after new checks)",
        description="For each item not already verified by a check, the checks whose phrases "
        "match it: candidates to review when checks are added (docs/plans.md, 'Extending').",
    )
    hint.add_argument("name", nargs="?", help="a plan name (default: every plan)")
    hint.add_argument("--check", metavar="ID", help="only this check id")

    att = sub.add_parser(
        "attest",
        parents=[common],
        help="record that a person checked a manual plan item (attestations/<env>.toml)",
        description="Append an attestation to attestations/<env>.toml: ITEM is <plan>:<item id> "
        "(or the item id alone when one plan has it; `gonogo plan show NAME --items` lists them).",
    )
    att.add_argument("item", metavar="ITEM", help="<plan>:<item id>")
    att.add_argument("--by", required=True, metavar="NAME", help="who checked it")
    att.add_argument("--note", required=True, help="what was checked and how")
    att.add_argument("--env", required=True, metavar="ENV", help="environments/ENV.toml")
    att.add_argument("--evidence", default="", metavar="URL", help="a link to the proof")
    validity = att.add_mutually_exclusive_group()
    validity.add_argument(
        "--valid-days",
        type=int,
        metavar="N",
        help=f"how many days it counts (default {DEFAULT_VALID_DAYS})",
    )
    validity.add_argument(
        "--until",
        type=dt.date.fromisoformat,
        metavar="DATE",
        help="last day it counts (YYYY-MM-DD)",
    )


def run(args: argparse.Namespace, root: Path) -> int:
    if args.command == "attest":
        return _attest(args, root)
    if args.plan_command == "import":
        return _import(args, root)
    if args.plan_command == "show":
        return _show(args, root)
    if args.plan_command == "suggest":
        return _suggest(args, root)
    raise ConfigError("gonogo plan: give an action: import PLAN.md, show [NAME] or suggest [NAME]")


def read_markdown(path: Path) -> tuple[str, bytes]:
    """The text and bytes of a plan file: a regular UTF-8 text file of at most 2 MiB."""
    text = files.read_text(path, what="plan", limit=MAX_PLAN_BYTES)
    if "\x00" in text:
        raise ConfigError(f"plan {path}: binary data (a NUL byte), not a markdown plan")
    return text, text.encode("utf-8")


def _import(args: argparse.Namespace, root: Path) -> int:
    text, raw = read_markdown(args.markdown)
    parsed = markdown.parse(text)
    if not parsed.items:
        raise ConfigError(
            f"plan {args.markdown}: no checklist items (- [ ], [x], numbered steps) found"
        )
    if len(parsed.items) > store.MAX_ITEMS:
        raise ConfigError(
            f"plan {args.markdown}: {len(parsed.items)} items, more than {store.MAX_ITEMS}; "
            "is it a deployment plan?"
        )
    name = args.name or ids.plan_name(parsed.title or args.markdown.stem)
    if not ids.PLAN_NAME.match(name):
        raise ConfigError(f"--name {name!r}: use lower-case letters, digits and '-'")
    catalogue = catalogue_mod.load(root / "catalogue")
    phrases = {check: entry.phrases for check, entry in catalogue.items()}
    directory = root / "plans"
    target = store.path_for(directory, name)
    previous = store.load(target) if target.exists() or target.is_symlink() else None
    plan, changes = reimport.build(
        parsed,
        name=name,
        source=args.markdown.name,
        raw=raw,
        suggest=lambda t, s: suggest.suggest(t, s, phrases),
        previous=previous,
    )
    path = store.save(plan, directory)
    kinds = Counter(i.kind.value for i in plan.items)
    print(
        f"{path}: {len(plan.items)} items ("
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + f"); {parsed.bullets} plain bullets are not items"
    )
    if previous is not None:
        print(
            f"re-import: {changes.kept} unchanged, {len(changes.added)} added, "
            f"{len(changes.removed)} removed, {len(changes.moved)} moved, "
            f"{len(changes.renamed)} renamed, {len(changes.edited)} edited"
        )
        for line in changes.lines():
            print(f"  {line}")
    width = max(len("plan"), len(plan.name))
    print(summary_header(width))
    print(summary_row(plan, width))
    return 0


def counts(plan: Plan) -> dict[str, int]:
    """Items by mapping: automated, manual, not-applicable, group; unreviewed are suggestions."""
    out = Counter[str]()
    for item in plan.items:
        m = item.mapping
        if m.review is Review.SUGGESTED:
            out["unreviewed"] += 1
        elif m.kind is MappingKind.CHECKS:
            out["automated"] += 1
        else:
            out[m.kind.value] += 1
    return dict(out)


_COLUMNS = ("items", "automated", "manual", "not-applicable", "group", "unreviewed")


def summary_header(width: int = 20) -> str:
    return f"{'plan':<{width}}" + "".join(f"  {c:>{len(c)}}" for c in _COLUMNS)


def summary_row(plan: Plan, width: int = 20) -> str:
    c = counts(plan)
    c["items"] = len(plan.items)
    return f"{plan.name:<{width}}" + "".join(f"  {c.get(col, 0):>{len(col)}}" for col in _COLUMNS)


def _plans(root: Path, name: str | None) -> tuple[dict[str, Plan], catalogue_mod.Catalogue]:
    """The suite's plans (or the one named), checked against its catalogue."""
    plans = store.load_all(root / "plans")
    known = catalogue_mod.load(root / "catalogue")
    problems = [p for plan in plans.values() for p in store.unknown_checks(plan, known)]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"plans in {root / 'plans'}: {problems[0]}{more}")
    if name:
        if name not in plans:
            raise ConfigError(
                f"no plan {name!r} in {root / 'plans'}; plans: {', '.join(plans) or 'none'}"
            )
        plans = {name: plans[name]}
    return plans, known


def _show(args: argparse.Namespace, root: Path) -> int:
    plans, _known = _plans(root, args.name)
    if not plans:
        print(f"no plans in {root / 'plans'} (gonogo plan import PLAN.md)")
        return 0
    width = max(len("plan"), *(len(name) for name in plans))
    print(summary_header(width))
    for plan in plans.values():
        print(summary_row(plan, width))
    if args.items:
        for plan in plans.values():
            print(f"\n{plan.name}: {plan.title}")
            for item in plan.items:
                print(f"  {plan.ref(item.id)}  [{_mapping_text(plan, item)}]  {item.text}")
    return 0


def _suggest(args: argparse.Namespace, root: Path) -> int:
    plans, known = _plans(root, args.name)
    if args.check and args.check not in known:
        raise ConfigError(f"--check {args.check!r}: unknown check id (`gonogo checks` lists them)")
    phrases = {
        check: entry.phrases for check, entry in known.items() if args.check in (None, check)
    }
    found = 0
    for plan in plans.values():
        for item in plan.items:
            if item.mapping.kind is MappingKind.GROUP:
                continue
            have = set(item.mapping.checks) | set(item.mapping.rejected)
            new = [c for c in suggest.checks_for(item.text, item.section, phrases) if c not in have]
            if new:
                found += 1
                print(f"{plan.ref(item.id)}  [{_mapping_text(plan, item)}]  {item.text}")
                print(f"    may be verified by: {', '.join(new)}")
    print(
        f"{found} item{'s' if found != 1 else ''} to review (edit plans/<name>.toml, docs/plans.md)"
    )
    return 0


def _mapping_text(plan: Plan, item: PlanItem) -> str:
    m = item.mapping
    what = {
        MappingKind.CHECKS: ", ".join(m.checks),
        MappingKind.MANUAL: f"manual {plan.severity(item).value}, {plan.stage(item).value}",
        MappingKind.NOT_APPLICABLE: f"not applicable: {m.reason}",
        MappingKind.GROUP: "group",
    }[m.kind]
    return what + (" (suggested)" if m.review is Review.SUGGESTED else "")


def resolve_item(ref: str, plans: dict[str, Plan]) -> tuple[Plan, PlanItem]:
    """The plan and item ``ref`` names (``plan:item`` or an id one plan has)."""
    name, item_id = split_ref(ref)
    if name is not None:
        plan = plans.get(name)
        if plan is None:
            raise ConfigError(f"{ref}: no plan {name!r} (plans: {', '.join(plans) or 'none'})")
        if item_id not in plan:
            raise ConfigError(
                f"{ref}: unknown item id in plan {name} (`gonogo plan show {name} --items` "
                "lists them)"
            )
        return plan, plan.item(item_id)
    found = [plan for plan in plans.values() if item_id in plan]
    if not found:
        raise ConfigError(f"{ref}: unknown item id (`gonogo plan show --items` lists them)")
    if len(found) > 1:
        refs = ", ".join(p.ref(item_id) for p in found)
        raise ConfigError(f"{ref}: in several plans, name one: {refs}")
    return found[0], found[0].item(item_id)


def _attest(args: argparse.Namespace, root: Path) -> int:
    config.resolve_path(args.env, None, root / "environments")
    plans = store.load_all(root / "plans")
    plan, item = resolve_item(args.item, plans)
    m = item.mapping
    if m.confirmed and m.kind is not MappingKind.MANUAL:
        what = {
            MappingKind.CHECKS: f"is verified by checks ({', '.join(m.checks)})",
            MappingKind.NOT_APPLICABLE: f"is not applicable ({m.reason})",
            MappingKind.GROUP: "is a group: attest the items under it",
        }[m.kind]
        raise ConfigError(f"{plan.ref(item.id)} {what}; an attestation would not count")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    days = args.valid_days if args.valid_days is not None or args.until else DEFAULT_VALID_DAYS
    try:
        made = attest.make(
            plan.ref(item.id),
            by=args.by,
            note=args.note,
            at=now,
            evidence=args.evidence,
            valid_days=days,
            until=args.until,
        )
    except ValueError as err:
        raise ConfigError(f"gonogo attest: {err}") from None
    path = root / "attestations" / f"{args.env}.toml"
    attest.append(path, made)
    last = (made.expires - dt.timedelta(seconds=1)).date().isoformat()
    print(f"{path}: {made.item} attested by {made.by}, counts until {last}")
    return 0
