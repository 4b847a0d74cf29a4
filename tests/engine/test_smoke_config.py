"""Bad ``[smoke]`` input is a one-line configuration error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.project import make_project
from gonogo import config
from gonogo.errors import ConfigError

WEB = '[web]\nbase_url = "https://app.example.com"\n'
SMTP = '[smoke.smtp]\nurl = "smtp://mail.example.com:2525"\nsender = "a@b.example"\nrecipient = "c@d.example"\n'
ENDPOINT = '[[smoke.endpoints]]\nname = "products"\npath = "/api/products"\n'

BAD = [
    ("name-with-space", ENDPOINT.replace('"products"', '"my products"'), "smoke.endpoints.0.name"),
    ("path-without-slash", ENDPOINT.replace('"/api/products"', '"api"'), "must be a path"),
    ("status-out-of-range", ENDPOINT + "status = 700\n", "smoke.endpoints.0.status"),
    ("method-unknown", ENDPOINT + 'method = "FETCH"\n', "smoke.endpoints.0.method"),
    ("selector-wildcard", ENDPOINT + 'keys = ["$.items[*]"]\n', "is not a selector"),
    ("value-selector-bad", ENDPOINT + 'values = { "$..x" = 1 }\n', "is not a selector"),
    ("budget-negative", ENDPOINT + "budget_ms = -1\n", "smoke.endpoints.0.budget_ms"),
    ("unknown-key", ENDPOINT + "expect = 200\n", "smoke.endpoints.0.expect"),
    ("duplicate-names", ENDPOINT + ENDPOINT, "endpoint names must be unique: products"),
    ("auth-without-login", ENDPOINT + "auth = true\n", "needs [smoke.login]"),
    ("retries-too-many", "[smoke]\nretries = 50\n", "smoke.retries"),
    ("ready-timeout-zero", "[smoke]\nready_timeout_s = 0\n", "smoke.ready_timeout_s"),
    ("retries-as-string", '[smoke]\nretries = "2"\n', "smoke.retries"),
    ("smtp-bad-sender", SMTP.replace('"a@b.example"', '"x"', 1), "smoke.smtp.sender"),
    ("smtp-not-smtp-url", SMTP.replace("smtp://", "https://"), "must start with smtp://"),
    ("smtp-port-zero", SMTP.replace(":2525", ":0"), "smoke.smtp.url"),
    ("smtp-ca-missing", SMTP + 'ca_bundle = "nowhere.pem"\n', "nowhere.pem does not exist"),
    ("websocket-no-path", "[smoke.websocket]\nsend = 'x'\n", "smoke.websocket.path"),
]


@pytest.mark.parametrize(("text", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_smoke_section_is_a_config_error(tmp_path: Path, text: str, fragment: str) -> None:
    """Each bad [smoke] value is refused before a run with a message naming the key."""
    path = tmp_path / "t.toml"
    path.write_text(WEB + text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert fragment in str(caught.value)
    assert str(path.name) in str(caught.value)


def test_a_bad_smoke_section_exits_4_with_one_line(pytester: pytest.Pytester) -> None:
    """A gate run over a bad [smoke] section: exit 4, one ERROR line, no traceback."""
    root = make_project(pytester)
    (root / "environments" / "t.toml").write_text(WEB + ENDPOINT + "auth = true\n")
    result = pytester.runpytest_subprocess("--env", "t")
    assert result.ret == 4
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and "needs [smoke.login]" in errors[0], errors
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
