"""``--dist loadgroup`` that survives a crashed worker.

The suite runs with ``--dist loadgroup`` so that the login-flow checks share one worker (the
rate-limit probe must run after the cookie check). pytest-xdist's LoadScope/LoadGroup scheduler
(3.8) handles a crashed worker badly: it puts the whole work unit back, the check that killed the
worker included, so each replacement worker runs it again and crashes; it re-queues finished
units, which leaves the replacement with nothing to do and the run hangs; and a report from a
removed worker raises ``KeyError: <WorkerController>`` (an INTERNALERROR per report).

:class:`CrashSafeLoadGroupScheduling` behaves like the default ``load`` scheduler on a crash: the
crashing test is reported once (the engine turns it into an ``error``) and only the work that
had not run is scheduled again.
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadGroupScheduling


class CrashSafeLoadGroupScheduling(LoadGroupScheduling):
    """LoadGroup scheduling with crash handling like xdist's ``load`` scheduler."""

    def remove_node(self, node: Any) -> str | None:
        workload = self.assigned_work.pop(node, None)
        if not workload or not self._pending_of(workload):
            return None
        crashitem = next(
            nodeid for unit in workload.values() for nodeid, done in unit.items() if not done
        )
        for unit in workload.values():
            if crashitem in unit:
                unit[crashitem] = True  # reported as crashed, not run again
        unfinished = [(scope, unit) for scope, unit in workload.items() if not all(unit.values())]
        for scope, unit in reversed(unfinished):  # in front of the queue, in their order
            self.workqueue[scope] = unit
            self.workqueue.move_to_end(scope, last=False)
        for other in list(self.assigned_work):
            self._reschedule(other)
        return str(crashitem)

    def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
        if node not in self.assigned_work or node not in self.registered_collections:
            return  # a late report from a worker that is gone
        super().mark_test_complete(node, item_index, duration)
