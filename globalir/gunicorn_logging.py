"""Gunicorn's access log without the secrets some URLs carry.

The access log line holds the request line (path and query string) and the Referer, so an
invitation link, an e-mail confirmation or password-reset link, or a calendar feed's ``?token=``
would be written out whole. This logger hides them as `globalir.redaction` does for Django's log.
Used through ``logger_class`` in ``gunicorn.conf.py``.
"""

from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger

from globalir.redaction import HIDDEN, hide_query_secrets, hide_url

# Request headers that must never reach a log, should a custom access_log_format name them.
SECRET_HEADERS = ("{cookie}i", "{authorization}i")


def _hide_referer(referer: str) -> str:
    if not referer or referer == "-":
        return referer
    parts = urlsplit(referer)
    hidden = hide_url(parts.path + (f"?{parts.query}" if parts.query else ""))
    path, _, query = hidden.partition("?")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class SecretHidingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        try:
            uri = hide_url(environ.get("RAW_URI") or "")
            atoms["U"] = hide_url(atoms.get("U") or "")
            atoms["q"] = hide_query_secrets(atoms.get("q") or "")
            atoms["f"] = _hide_referer(atoms.get("f") or "-")
            if "{referer}i" in atoms:
                atoms["{referer}i"] = atoms["f"]
        except Exception:  # a path that cannot be read is hidden whole rather than logged whole
            uri = atoms["U"] = HIDDEN
            atoms["q"] = atoms["f"] = HIDDEN
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {uri} {environ.get('SERVER_PROTOCOL')}"
        for header in SECRET_HEADERS:
            if header in atoms:
                atoms[header] = HIDDEN
        return atoms
