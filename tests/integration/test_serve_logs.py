"""`graphsvc serve` keeps tokens out of its output (hardening, point 5): the admin sign-in link goes to a 0600 file
when stdout is not a terminal, access lines of requests carrying a token in the URL are redacted, and a user's
mistake is one log line without a traceback."""

from __future__ import annotations

import io
import logging
import stat
import time
from pathlib import Path

import httpx
from uvicorn.logging import AccessFormatter

from graphsvc.db.connection import Connection
from graphsvc.web.logs import RedactTokens, redact
from tests.integration.serving import serve_process

FAKE = "gsvc_" + "Q" * 43


def test_redaction_keeps_uvicorns_access_lines_whole() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("graphsvc.tests.access")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/graphql?query=x&access_token={FAKE}", "1.1", 401
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.warning("token %s refused", FAKE)
    finally:
        logger.removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and FAKE not in out.getvalue()
    assert lines[0].startswith('127.0.0.1:5000 - "GET /graphql?query=x&access_token=[redacted] HTTP/1.1" 401')
    assert lines[1] == "token gsvc_[redacted] refused"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer [redacted]"
    assert redact("open http://h/graphql#token=" + FAKE) == "open http://h/graphql#token=[redacted]"


def test_redaction_reaches_exceptions_and_encoded_tokens() -> None:
    from graphql import GraphQLError

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("graphsvc.tests.objects")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error(GraphQLError(f"unknown token {FAKE}"))  # strawberry logs the error object itself
        logger.warning("refused: %s", ValueError(FAKE))
        logger.warning("GET /graphql?access_token=%s", FAKE.replace("_", "%5F"))
    finally:
        logger.removeHandler(handler)
    assert FAKE[5:20] not in out.getvalue()
    assert out.getvalue().count("[redacted]") == 3


def test_serve_writes_no_token_to_its_output(empty_db: Connection, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log_file = tmp_path / "serve.log"
    with serve_process(empty_db, log_file, "--admin-link", "--data-dir", str(data_dir)) as url:
        link_file = data_dir / "admin-link"
        assert stat.S_IMODE(link_file.stat().st_mode) == 0o600
        link = link_file.read_text().strip()
        assert link.startswith(f"{url}/graphql#token=gsvc_")
        secret = link.split("#token=")[1]
        httpx.get(f"{url}/graphql", params={"query": "{ __typename }", "access_token": secret})
        mistaken = httpx.post(
            f"{url}/graphql",
            json={"query": '{ search(text: "%s") { id } }' % ("a" * 600)},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert mistaken.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        time.sleep(0.5)  # the access line is written after the answer
    output = log_file.read_text()
    assert "admin sign-in link for the next 12 hours written to" in output
    assert secret not in output and "gsvc_" + secret[5:15] not in output
    assert "access_token=[redacted]" in output
    assert "refused (search): text: a search is at most 500 characters" in output
    assert "Traceback" not in output
