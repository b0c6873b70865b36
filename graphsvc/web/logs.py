"""The server's logging: one configuration for uvicorn and graphsvc, with every token redacted.

A token in a log line is a credential handed to whoever reads the logs (a log collector, a support bundle). Any
record that passes a handler configured here loses anything shaped like a token: graphsvc's own tokens
(`gsvc_...`), the value of an `Authorization` header, and the values of `token`, `access_token` and similar query
parameters or fragments (an access log line of a refused `GET /graphql?access_token=...`, a GraphiQL `#token=` URL).

`GRAPHSVC_LOG_FORMAT=json` writes one JSON object a line (JsonFormatter): time, level, logger, message, and for a
request's lines its id, method, path, status, duration_ms and GraphQL operation. The access lines are then graphsvc's
own (web/observe.py, logger `graphsvc.access`) instead of uvicorn's; in text, uvicorn's as before.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Literal

from graphsvc.telemetry.context import CURRENT

__all__ = ["JsonFormatter", "RedactTokens", "log_config", "redact"]

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


# Every pattern above needs one of these in the text: looked for first, since most text has none (an access line's
# client, method, path and protocol, on every request: the three patterns took 3% of a small request's time).
_MAYBE = re.compile(r"gsvc|bearer|=", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every token-shaped part replaced by [redacted]."""
    if _MAYBE.search(text) is None:
        return text
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


# What a request's log lines carry besides the message (web/observe.py passes them as `extra` on its access line).
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "operation")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the request's id and operation when
    the record was made while serving one, the access line's fields, and any traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        info = CURRENT.get()
        if info is not None:
            line["request_id"] = info.id
            if info.operation is not None:
                line["operation"] = info.operation
        for field in REQUEST_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                line[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


def log_config(level: str = "info", log_format: Literal["text", "json"] = "text") -> dict[str, Any]:
    """uvicorn's logging configuration, with graphsvc's and strawberry's loggers on the same handler, and every
    handler redacting tokens; with `json`, every handler writes JsonFormatter's lines and graphsvc's access lines
    replace uvicorn's."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": RedactTokens}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    loggers = config.setdefault("loggers", {})
    for name in ("graphsvc", "strawberry"):
        loggers[name] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    if log_format == "json":
        config["formatters"] = {"json": {"()": JsonFormatter}}
        for handler in config["handlers"].values():
            handler["formatter"] = "json"
        loggers["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
        loggers["graphsvc.access"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    else:
        # uvicorn writes the access lines (with the client's address) as before
        loggers["graphsvc.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return config
