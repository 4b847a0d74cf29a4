"""What Prometheus, Alertmanager and the post-deploy queries showed (``monitoring.*``,
``postdeploy.*``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """One active scrape target (``/api/v1/targets``).

    Attributes:
        job: its scrape job. url: what Prometheus scrapes. health: ``up``, ``down`` or
        ``unknown`` (not scraped yet). error: the last scrape error.
    """

    job: str
    url: str
    health: str
    error: str = ""


@dataclass(frozen=True, slots=True)
class RuleFacts:
    """One loaded rule (``/api/v1/rules``).

    Attributes:
        name: alert or record name. kind: ``alerting`` or ``recording``. query: its expression.
        health: ``ok``, ``err`` or ``unknown``. error: the last evaluation error. group/file:
        where it is defined.
    """

    name: str
    kind: str
    query: str
    health: str
    error: str = ""
    group: str = ""
    file: str = ""


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """One active alert (``/api/v1/alerts``): ``state`` is ``firing`` or ``pending``;
    ``instance`` its ``instance`` label (empty when it has none) and ``active_at`` when it became
    active (Prometheus' ``activeAt``, RFC 3339), so a release manager sees which target and since
    when."""

    name: str
    state: str
    severity: str
    summary: str = ""
    instance: str = ""
    active_at: str = ""


@dataclass(frozen=True, slots=True)
class PrometheusFacts:
    """Everything the ``monitoring.*`` Prometheus rules judge, read once per run.

    Attributes:
        url: the Prometheus base URL. version: its build version. ready: ``/-/ready`` answered
        200. targets, rules, alerts: what the API lists.
    """

    url: str
    version: str
    ready: bool
    targets: tuple[TargetFacts, ...]
    rules: tuple[RuleFacts, ...]
    alerts: tuple[AlertFacts, ...]


@dataclass(frozen=True, slots=True)
class RouteFacts:
    """Where Alertmanager routes an alert of one severity, and what that receiver does.

    Attributes:
        severity: the label value tested. receivers: the receivers the routing tree picks
        (``amtool config routes test``). integrations: per receiver, how many notifiers it has
        (email, webhook, pagerduty...): 0 is a null receiver that drops the alert.
    """

    severity: str
    receivers: tuple[str, ...]
    integrations: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SilenceFacts:
    """An active silence: its id, matchers as written (``severity=~".*"``) and who made it."""

    id: str
    matchers: tuple[str, ...]
    created_by: str
    comment: str


@dataclass(frozen=True, slots=True)
class AlertmanagerFacts:
    """Alertmanager's status, its routing of the declared severities and its active silences."""

    url: str
    version: str
    cluster: str
    routes: tuple[RouteFacts, ...]
    silences: tuple[SilenceFacts, ...]


@dataclass(frozen=True, slots=True)
class SampleFacts:
    """One series of an instant query's answer: its labels as ``k=v`` and its value."""

    labels: str
    value: float


@dataclass(frozen=True, slots=True)
class QueryFacts:
    """The answer to one PromQL query (``/api/v1/query``).

    Attributes:
        name: the query's name in the environment file. promql: what was sent (window filled
        in). window: the range it looks back over. samples: the series answered (empty: no
        data). evaluated_at: Prometheus' evaluation time (Unix seconds).
    """

    name: str
    promql: str
    window: str
    samples: tuple[SampleFacts, ...]
    evaluated_at: float


@dataclass(frozen=True, slots=True)
class EndpointFacts:
    """A plain GET of a declared endpoint (log aggregation, error tracking)."""

    url: str
    status: int
    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class RuleFileFacts:
    """``promtool check rules`` over the rule files: each file, whether it passed, the output."""

    files: tuple[str, ...]
    exit_code: int
    output: str
