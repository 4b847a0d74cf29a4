"""A static site on a real nginx, configured the way the references recommend.

Two servers share one unprivileged nginx (``loopback_nginx``): ``mozilla`` follows the Mozilla SSL Configuration Generator's nginx
"intermediate" output (ssl-config.mozilla.org, guideline 5.7: HTTP redirected to HTTPS, TLS 1.2
and 1.3, HSTS two years) in front of a plain ``root``; ``h5bp`` follows h5bp's
server-configs-nginx (``nginx.conf`` and ``conf.d/templates/example.com.conf``: server_tokens off,
its ``policy_balanced`` TLS, the security headers of ``basic.conf``, ``security_file_access``
denying dotfiles and backups, ``error_page 404 /404.html``). Neither runs any code: nothing on
them can crash, which is what exposure.debug must cope with.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import loopback_nginx
from gonogo.demo.pki import Pki

SERVERS = ("mozilla", "h5bp")
MOZILLA_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
)
INDEX = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Static site</title></head>"
    "<body><h1>A static site</h1><p>Nothing here runs code.</p></body></html>\n"
)
NOT_FOUND = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Page Not Found</title></head>"
    "<body><h1>Page Not Found</h1></body></html>\n"
)

# h5bp nginx.conf: the response headers chosen by content type
H5BP_MAPS = """
  map $sent_http_content_type $x_frame_options { ~*text/html DENY; }
  map $sent_http_content_type $referrer_policy {
    ~*text/(css|html|javascript)|application\\/pdf|xml "strict-origin-when-cross-origin";
  }
  map $sent_http_content_type $cors { ~*image/ "*"; ~*font/ "*"; }
"""


@dataclass(frozen=True, slots=True)
class StaticSites:
    """The running servers: ``https_port(name)``, ``http_port(name)`` (mozilla only) and the
    CA bundle that verifies their certificate."""

    ports: dict[str, int]
    ca_bundle: Path

    def https_port(self, name: str) -> int:
        return self.ports[f"{name}-https"]

    def http_port(self, name: str) -> int:
        return self.ports[f"{name}-http"]


def _config(prefix: Path, root: Path, cert: Path, key: Path, ports: dict[str, int]) -> str:
    temp = loopback_nginx.temp_paths(prefix)
    tls = f"ssl_certificate {cert}; ssl_certificate_key {key};"
    mozilla = f"""
  server {{
    listen 127.0.0.1:{ports["mozilla-http"]};
    location / {{ return 301 https://$host:{ports["mozilla-https"]}$request_uri; }}
  }}
  server {{
    listen 127.0.0.1:{ports["mozilla-https"]} ssl http2;
    {tls}
    ssl_session_timeout 1d;
    ssl_session_cache shared:MozSSL:1m;
    ssl_session_tickets off;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers {MOZILLA_CIPHERS};
    ssl_prefer_server_ciphers off;
    add_header Strict-Transport-Security "max-age=63072000" always;
    root {root};
  }}"""
    h5bp = f"""
  server {{
    listen 127.0.0.1:{ports["h5bp-https"]} ssl http2;
    {tls}
    ssl_session_timeout 24h;
    ssl_session_cache shared:SSL:1m;
    ssl_session_tickets off;
    ssl_prefer_server_ciphers off;
    ssl_protocols TLSv1.2;
    ssl_ciphers EECDH+CHACHA20:EECDH+AES;
    ssl_ecdh_curve X25519:prime256v1:secp521r1:secp384r1;
    server_tokens off;
    charset utf-8;
    root {root};
    error_page 404 /404.html;
    add_header Referrer-Policy $referrer_policy always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options $x_frame_options always;
    add_header Access-Control-Allow-Origin $cors;
    add_header Strict-Transport-Security "max-age=16070400; includeSubDomains" always;
    location ~* /\\.(?!well-known\\/) {{ deny all; }}
    location ~* (?:#.*#|\\.(?:bak|conf|dist|fla|in[ci]|log|orig|psd|sh|sql|sw[op])|~)$ {{
      deny all;
    }}
  }}"""
    return (
        f"daemon off; pid {prefix}/nginx.pid; worker_processes 1;\n"
        f"error_log {prefix}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off; {temp}\n  include /etc/nginx/mime.types;\n"
        f"  default_type application/octet-stream;\n{H5BP_MAPS}{mozilla}{h5bp}\n}}\n"
    )


@contextmanager
def static_sites() -> Iterator[StaticSites]:
    """Start the two servers; stop them and remove their files on exit.

    The site lives in a fresh world-readable directory: nginx workers run as ``nobody``, who
    cannot traverse pytest's 0700 temporary directories.
    """
    base = Path(tempfile.mkdtemp(prefix="gonogo-static-"))
    try:
        base.chmod(0o755)
        root, prefix = base / "site", base / "nginx"
        (prefix / "tmp").mkdir(parents=True)
        root.mkdir()
        (root / "index.html").write_text(INDEX)
        (root / "404.html").write_text(NOT_FOUND)
        for path in (root, root / "index.html", root / "404.html"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        pki = Pki(base / "pki")
        pki.create_ca("static")
        cert, key = pki.ensure("server")
        names = ["mozilla-http", "mozilla-https", "h5bp-https"]
        proc, ports = loopback_nginx.start(prefix, names, partial(_config, prefix, root, cert, key))
        try:
            yield StaticSites(ports, pki.ca_bundle)
        finally:
            loopback_nginx.stop(proc)
    finally:
        shutil.rmtree(base, ignore_errors=True)
