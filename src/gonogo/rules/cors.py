"""CORS: which origins may read our responses, judged from requests with chosen ``Origin``s.

Check ids: ``cors.policy``.

The probe sends a foreign origin, ``null``, each allowed origin and look-alikes of it
(``https://app.example.com.evil``, ``https://evilapp.example.com``, ``http://app.example.com``).
What each grant means decides its severity:

- with ``Access-Control-Allow-Credentials: true``, an arbitrary origin reflected or ``null``
  allowed (sandboxed iframes and ``data:`` pages send it) reads users' data: blocker; a fixed
  origin outside ``[cors] allowed_origins``, an allow-listed ``http://`` origin on an HTTPS site
  (a network attacker owns it) and ``*`` (browsers refuse it with credentials) fail at the
  check's severity;
- without credentials, ``*``, ``null``, a reflected or any other origin lets other sites read
  only what anyone can fetch: a minor warning (plans: "remove * wildcard"; the Observatory
  passes public access), a pass with ``[cors] allow_wildcard`` for ``*``, a failure at the
  check's severity with the strict ``forbid_wildcard``.

When an allow-list is configured and no allowed origin was granted anywhere, nothing shows the
policy at work: the check is not verified (an error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gonogo.model import ErrorReason, Finding, Severity, info

if TYPE_CHECKING:
    from gonogo.facts.cors import CorsFacts, CorsObservation
    from gonogo.schema.security import CorsConfig


def credentials(seen: CorsObservation) -> bool:
    return (seen.allow_credentials or "").strip().lower() == "true"


def judge(seen: CorsObservation, thresholds: CorsConfig) -> tuple[bool, str, Severity | None]:
    """Whether one response's CORS grant is acceptable, why, and the finding's severity."""
    value = seen.allow_origin[0].strip()
    creds = credentials(seen)
    public = None if thresholds.forbid_wildcard else Severity.MINOR  # no credentials
    warning = "" if thresholds.forbid_wildcard else " (a warning: only public data, no credentials)"
    if value == "*":
        if creds:
            return (
                False,
                "Access-Control-Allow-Origin: * with credentials (browsers refuse it: an invalid "
                "grant)",
                None,
            )
        if thresholds.allow_wildcard:
            return True, "Access-Control-Allow-Origin: * (public, allowed by [cors])", None
        return False, f"Access-Control-Allow-Origin: * lets any site read it{warning}", public
    if value.lower() == "null":
        # any site can send Origin: null (a sandboxed iframe): with credentials it reads
        # the user's data exactly like a reflected origin does
        if creds:
            return (
                False,
                "origin null allowed with credentials (a sandboxed iframe sends it)",
                (Severity.BLOCKER),
            )
        return False, f"origin null allowed (a sandboxed iframe sends it){warning}", public
    if value.lower().rstrip("/") in thresholds.allowed_origins:
        if creds and value.lower().startswith("http://") and seen.url.lower().startswith("https"):
            # whoever is on that origin's network path (Wi-Fi, proxy) can inject a script into
            # it and read the user's data from this HTTPS site: the allow-list entry is the hole
            return (
                False,
                f"allows the plain-HTTP origin {value} with credentials (allow-listed, but any "
                "network attacker can run script there); allow only https:// origins",
                None,
            )
        return True, f"allows {value}, which is in the allow-list", None
    if value == seen.origin:
        if creds:
            return (
                False,
                f"reflects the arbitrary origin {value} with credentials",
                (Severity.BLOCKER),
            )
        return False, f"reflects the arbitrary origin {value}{warning}", public
    if creds:
        return False, f"allows {value} with credentials, which is not in the allow-list", None
    return False, f"allows {value}, which is not in the allow-list{warning}", public


def evaluate_cors(facts: CorsFacts, thresholds: CorsConfig) -> list[Finding]:
    """One finding per response that granted access; a summary of those that did not."""
    findings: list[Finding] = []
    silent: list[str] = []
    for seen in facts.observations:
        label = f"{seen.method} {urlsplit(seen.url).path or '/'} Origin: {seen.origin}"
        if not seen.allow_origin:
            silent.append(label)
            continue
        ok, why, severity = judge(seen, thresholds)
        measured = {
            "origin": seen.origin,
            "allow_origin": list(seen.allow_origin),
            "allow_credentials": seen.allow_credentials,
            "status": seen.status,
        }
        findings.append(
            Finding(
                label,
                ok,
                f"{label}: {why}",
                measured=measured,
                threshold=thresholds.allowed_origins,
                severity=severity,
            )
        )
        if len(seen.allow_origin) > 1:
            findings.append(
                info(
                    f"{label} duplicates",
                    f"{label}: {len(seen.allow_origin)} "
                    "Access-Control-Allow-Origin headers (browsers refuse the response)",
                )
            )
        if ok and seen.allow_origin[0] != "*" and "origin" not in (seen.vary or "").lower():
            findings.append(
                info(
                    f"{label} vary",
                    f"{label}: access granted per origin without "
                    "Vary: Origin (shared caches may serve it to other origins)",
                )
            )
        findings += _methods(seen, label, thresholds)
    findings.append(
        info(
            "no_access",
            f"{len(silent)} of {len(facts.observations)} probes got no Access-Control-Allow-Origin",
            measured=silent,
        )
    )
    granted = {
        # a grant of the origin itself (whatever Origin was sent) or of * reaches it
        origin: any(
            s.allow_origin and s.allow_origin[0].strip().lower().rstrip("/") in (origin, "*")
            for s in facts.observations
        )
        for origin in thresholds.allowed_origins
    }
    for origin, ok in granted.items():
        findings.append(
            info(
                f"allowed {origin}",
                f"allow-listed {origin} "
                + ("is granted access" if ok else "got no CORS grant on the probed paths"),
            )
        )
    if granted and not any(granted.values()) and all(f.ok for f in findings):
        # Fail closed: a policy never seen granting anything was never seen at work either
        # (wrong paths, CORS handled elsewhere, or the allow-list is stale).
        paths = sorted({urlsplit(s.url).path or "/" for s in facts.observations})
        findings.append(
            Finding(
                "verified",
                False,
                f"CORS not verified: no allow-listed origin ({', '.join(granted)}) got an "
                f"Access-Control-Allow-Origin on {', '.join(paths)}; set [cors] probe_paths or "
                "api_path to an endpoint that serves cross-origin requests, or fix "
                "allowed_origins",
                measured=paths,
                unverified=ErrorReason.CONFIG,
            )
        )
    return findings


def _methods(seen: CorsObservation, label: str, thresholds: CorsConfig) -> list[Finding]:
    if seen.method != "OPTIONS" or thresholds.allowed_methods is None or not seen.allow_methods:
        return []
    methods = sorted({m.strip().upper() for m in seen.allow_methods.split(",") if m.strip()})
    extra = [m for m in methods if m == "*" or m not in thresholds.allowed_methods]
    return [
        Finding(
            f"{label} methods",
            not extra,
            f"{label}: preflight allows {', '.join(methods)}"
            + (f" (not allowed: {', '.join(extra)})" if extra else ""),
            measured=methods,
            threshold=thresholds.allowed_methods,
        )
    ]
