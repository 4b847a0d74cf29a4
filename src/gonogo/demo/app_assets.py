"""The demo front end as a build tool would ship it: hashed asset names, cached for a year, an
index that is revalidated on every load (the smoke front-end checks read these).

``app.js`` is also served as ``app.<12 hex of its SHA-256>.js`` (the same for ``app.css``);
the index links the hashed names. Faults (read per request): ``index-cached`` (the index is
cached for a day), ``assets-uncached`` (assets ``no-cache``; nginx's gzip is off as well, see
``nginx.FAULT_PARAMS``), ``index-mixed-script`` (the index loads a script over plain http).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import PurePath

HASHED = ("app.js", "app.css")
INDEX_CACHE = "no-cache"
INDEX_CACHED_FOR_A_DAY = "public, max-age=86400"
ASSET_CACHE = "public, max-age=31536000, immutable"
_PLAIN_CACHE = "public, max-age=3600"  # the unhashed names, for old links


def hashed_name(name: str, body: bytes) -> str:
    """``app.js`` → ``app.<hash>.js`` (12 hex of the content's SHA-256)."""
    path = PurePath(name)
    return f"{path.stem}.{hashlib.sha256(body).hexdigest()[:12]}{path.suffix}"


def aliases(files: Mapping[str, bytes]) -> dict[str, str]:
    """Hashed name → real name, for the hashed assets present."""
    return {hashed_name(n, files[n]): n for n in HASHED if n in files}


def resolve(name: str, files: Mapping[str, bytes]) -> str:
    """The file a request names: a current hashed name is its asset (an old hash is not)."""
    return aliases(files).get(name, name)


def cache_control(name: str, real: str, faults: frozenset[str]) -> str:
    if real == "index.html":
        return INDEX_CACHED_FOR_A_DAY if "index-cached" in faults else INDEX_CACHE
    if "assets-uncached" in faults:
        return "no-cache"
    return ASSET_CACHE if name != real else _PLAIN_CACHE


def render_index(
    body: bytes, files: Mapping[str, bytes], faults: frozenset[str], host: str
) -> bytes:
    """The index linking the hashed names (and the mixed-content script under its fault)."""
    text = body.decode("utf-8")
    for hashed, real in aliases(files).items():
        text = re.sub(rf'(["\']/static/){re.escape(real)}(["\'])', rf"\g<1>{hashed}\g<2>", text)
    if "index-mixed-script" in faults:
        text = text.replace(
            "</head>", f'<script src="http://{host}/static/app.js" defer></script></head>', 1
        )
    return text.encode("utf-8")
