"""Keep the bot token out of every log line.

PTB logs its API URL and httpx logs each request URL, and both contain the
token. Masking in the log-record factory catches every logger and every handler,
including ones configured after the bot starts.
"""

from __future__ import annotations

import logging

MASK = "<TOKEN>"
_secrets: set[str] = set()


def mask_in_logs(secret: str) -> None:
    """From now on, log records show ``secret`` as <TOKEN>, in messages and tracebacks alike."""
    if not secret or secret in _secrets:
        return
    if not _secrets:
        _install(logging.getLogRecordFactory())
    _secrets.add(secret)


def _install(make_record) -> None:
    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        message = record.getMessage()
        if any(secret in message for secret in _secrets):
            record.msg, record.args = _mask(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            # formatted now, masked, and cached where Formatter.format looks for it
            record.exc_text = _mask(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(masked_record)


def _mask(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text
