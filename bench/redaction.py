"""How much does redaction cost? Prints times and ratios, asserts nothing.

Every line of output (terminal, logs, reports) goes through ``Redactor.text``. This builds the
redactor of a demo-sized run (15 secrets: tokens, DSN passwords, a mixed-case and an IDN CORS
origin, a short one) and times it on 4 MB of gate output (log lines, ``-l`` locals, evidence
JSON, with a secret every ~200 lines), against the naive way of matching the same forms in any
case: one case-insensitive alternation of every form (``re.IGNORECASE``).

    .venv/bin/python bench/redaction.py

Measured on the shared 2-core machine while other test suites ran (so absolute times are high;
the ratios hold), same corpus and secrets: the redactor before the normalised forms (146 forms,
exact case only, an alternation of literals and ``(?i)`` patterns tried at every position) took
4.4 s for the 4 MB and 151 us/line; the trie over lower-cased text and literal-led patterns take
0.6-1.4 s and 21-29 us/line with 241 forms in any case, and the naive case-insensitive
alternation of the same forms is 35-67x slower than the trie.
"""

from __future__ import annotations

import re
import secrets
import statistics
import time

from gonogo.redact import Redactor

SECRETS = [secrets.token_urlsafe(18) for _ in range(8)] + [
    secrets.token_hex(16),
    "p@ss/w:rd-77",
    'Pa\\ss9"word<7>&',
    "https://Tenant-Qx43SECRETkk.Example.COM",
    "https://Geheim-Bücher-Zq8Vw.Example",
    "Wq7/Zx#k9@Lm-Pt4",
    "Qx43kk",
]
LINES = [
    'INFO     httpx:_client.py:1025 HTTP Request: GET https://localhost:50893/ "HTTP/1.1 200 OK"',
    "facts      = CookieFacts(observations=(CookieObservation(step='POST /login', status=200,",
    '    {"name": "hsts", "ok": true, "message": "max-age=31536000; includeSubDomains",',
    "checks/test_headers.py::test_hsts PASSED                                 [  8%]",
    "E       gonogo.gate.CheckFailed: session cookie 'session' from POST /login: no Secure",
]


def corpus(size: int) -> str:
    lines, n = [], 0
    while sum(map(len, lines)) < size:
        line = LINES[n % len(LINES)]
        if n % 200 == 0:
            line += " " + SECRETS[n // 200 % len(SECRETS)].lower()
        lines.append(line)
        n += 1
    return "\n".join(lines)


def median_time(function: object, *args: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(*args)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    build = median_time(Redactor, SECRETS)
    redactor = Redactor(SECRETS)
    text = corpus(4_000_000)
    lines = text.count("\n") + 1
    redactor.text("warm up")  # compiles the expression
    full = median_time(redactor.text, text)
    values = median_time(redactor.values, text)
    per_line = median_time(lambda: [redactor.text(line) for line in text.splitlines()[:20000]])
    naive = re.compile(
        "|".join(re.escape(f) for f in sorted(redactor.secrets, key=len, reverse=True)),
        re.IGNORECASE,
    )
    naive_time = median_time(naive.sub, "***", text, repeat=3)
    print(f"forms matched            {len(redactor.secrets)}")
    print(f"build the redactor       {build * 1000:.1f} ms")
    print(f"text(), 4 MB at once     {full:.3f} s  ({full / lines * 1e6:.2f} us/line)")
    print(f"values(), 4 MB at once   {values:.3f} s")
    print(f"text(), line by line     {per_line / 20000 * 1e6:.2f} us/line")
    print(f"naive IGNORECASE / ours  {naive_time / values:.1f}x")


if __name__ == "__main__":
    main()
