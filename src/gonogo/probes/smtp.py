"""The SMTP smoke probe: connect, EHLO, STARTTLS (certificate verified), EHLO again, MAIL FROM,
RCPT TO, then RSET and QUIT. It never sends DATA: a gate run delivers no mail.

I/O only (``smtplib`` with a timeout on every step). Refused and silent relays raise
``ProbeRefused``/``ProbeTimeout`` naming the host; a certificate that is not accepted is a
``ProbeError`` (reason ``tls``).
"""

from __future__ import annotations

import smtplib
import ssl
from urllib.parse import urlsplit

from gonogo.errors import ProbeError, ProbeRefused, ProbeTimeout
from gonogo.facts.smtp import SmtpFacts
from gonogo.model import ErrorReason
from gonogo.schema.smoke import Smtp

DEFAULT_PORT = 587
HELO = "gonogo.invalid"
GREETING_OK = 220  # smtplib refuses any other greeting (SMTPConnectError)


def _reply(code: int, text: bytes | str) -> tuple[int, str]:
    shown = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return code, shown[:200]


def _dialogue(client: smtplib.SMTP, cfg: Smtp, url: str, host: str, greeting: int) -> SmtpFacts:
    client.ehlo(HELO)
    offered = client.has_extn("starttls")
    version = None
    if offered and cfg.starttls:
        context = ssl.create_default_context(cafile=str(cfg.ca_bundle) if cfg.ca_bundle else None)
        try:
            client.starttls(context=context)
        except ssl.SSLCertVerificationError as err:
            raise ProbeError(
                f"{host}: the relay's TLS certificate is not accepted ({err.verify_message}); "
                "set [smoke.smtp] ca_bundle if a private CA signed it",
                reason=ErrorReason.TLS,
            ) from err
        version = client.sock.version() if isinstance(client.sock, ssl.SSLSocket) else None
        client.ehlo(HELO)
    mail = _reply(*client.mail(cfg.sender))
    rcpt = _reply(*client.rcpt(cfg.recipient)) if mail[0] == 250 else None
    client.rset()
    return SmtpFacts(
        url=url,
        greeting=greeting,
        starttls_offered=offered,
        tls_version=version,
        mail=mail,
        rcpt=rcpt,
        extensions=tuple(sorted(client.esmtp_features)),
    )


def converse(cfg: Smtp) -> SmtpFacts:
    """Talk to ``[smoke.smtp] url`` up to RCPT TO, then RSET and QUIT (never DATA)."""
    parts = urlsplit(cfg.url)
    host, port = parts.hostname or "", parts.port or DEFAULT_PORT
    where = f"{host}:{port}"
    try:
        # local_hostname: no DNS lookup of our own name (getfqdn) before the greeting
        client = smtplib.SMTP(host, port, local_hostname=HELO, timeout=cfg.timeout_s)
    except smtplib.SMTPConnectError as err:  # reachable, but it greets with a refusal
        return SmtpFacts(cfg.url, err.smtp_code, False, None, _reply(0, err.smtp_error), None, ())
    except TimeoutError as err:
        raise ProbeTimeout(f"{where}: no SMTP greeting within {cfg.timeout_s:g} s") from err
    except (OSError, smtplib.SMTPException) as err:
        raise ProbeRefused(f"{where}: cannot connect to the relay ({err})") from err
    try:
        return _dialogue(client, cfg, cfg.url, where, GREETING_OK)
    except TimeoutError as err:
        raise ProbeTimeout(f"{where}: the relay stopped answering ({err})") from err
    except (smtplib.SMTPException, OSError) as err:
        raise ProbeError(f"{where}: the SMTP dialogue failed ({err})") from err
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
