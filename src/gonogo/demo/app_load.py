"""The demo app's load-stage endpoint: ``/api/search`` does realistic work (a PostgreSQL range
query over ``pgbench_accounts`` and a JSON answer), and its latency and error rate follow the
load faults (``slow-api``, ``errors-api``, ``api-regression``)."""

from __future__ import annotations

import asyncio
import json
import random

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

# added latency of each fault, in seconds: slow-api breaks the plans' p95 budget (1500 ms);
# api-regression stays well under every absolute threshold but far above a clean baseline
DELAYS = {"slow-api": 2.0, "api-regression": 0.8}
ACCOUNTS = 500_000  # pgbench scale 5


async def search(request: Request) -> Response:
    """Accounts of one branch range with their balance total (``?from=N``, default random)."""
    faults = request.app.state.faults
    if "errors-api" in faults:
        return JSONResponse({"error": "upstream timeout"}, status_code=503)
    delay = max((DELAYS[name] for name in DELAYS if name in faults), default=0.0)
    if delay:
        await asyncio.sleep(delay)
    try:
        start = int(request.query_params.get("from", ""))
    except ValueError:
        start = random.randrange(1, ACCOUNTS - 100)
    rows = await request.app.state.backends.query(
        "SELECT aid, bid, abalance FROM pgbench_accounts WHERE aid BETWEEN %s AND %s ORDER BY aid",
        (start, start + 49),
    )
    body = {
        "from": start,
        "accounts": [{"id": r[0], "branch": r[1], "balance": r[2]} for r in rows],
        "total_balance": sum(r[2] for r in rows),
    }
    return Response(json.dumps(body), media_type="application/json")
