"""The server's logging: one configuration for uvicorn and graphsvc, with every token redacted.

A token in a log line is a credential handed to whoever reads the logs (a log collector, a support bundle). Any
record that passes a handler configured here loses anything shaped like a token: graphsvc's own tokens
(`gsvc_...`), the value of an `Authorization` header, and the values of `token`, `access_token` and similar query
parameters or fragments (an access log line of a refused `GET /graphql?access_token=...`, a GraphiQL `#token=` URL).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

__all__ = ["RedactTokens", "log_config", "redact"]

REDACTED = "[redacted]"
_PATTERNS = [
    (re.compile(r"gsvc(?:_|%5[Ff])[A-Za-z0-9_%-]+"), "gsvc_" + REDACTED),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1" + REDACTED),
    (
        # A value, not a %-placeholder of the message's format (the argument is redacted on its own).
        re.compile(
            r"(?i)([?&#;](?:access[_-]?token|token|auth|authorization|api[_-]?key|password)=)[^&\s\"'#%][^&\s\"'#]*"
        ),
        r"\1" + REDACTED,
    ),
]


def redact(text: str) -> str:
    """`text` with every token-shaped part replaced by [redacted]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _clean(value: object) -> object:
    if isinstance(value, int | float) or value is None:
        return value
    text = str(value)
    clean = redact(text)
    return value if clean == text else clean


class RedactTokens(logging.Filter):
    """A handler filter: the record's message (with its arguments) and any traceback text, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The message and its arguments are redacted one by one rather than merged: uvicorn's access formatter
        # reads the arguments (client, method, path, ...) by position.
        # Anything that is not a number is logged as its str() (an exception, a GraphQLError as strawberry logs
        # them): it is redacted as that text.
        record.msg = _clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration, with graphsvc's and strawberry's loggers on the same handler, and every
    handler redacting tokens."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": RedactTokens}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    loggers = config.setdefault("loggers", {})
    for name in ("graphsvc", "strawberry"):
        loggers[name] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config
