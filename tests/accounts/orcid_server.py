"""A fake ORCID on loopback, for the sign-in tests: the three endpoints allauth's ORCID provider uses.

- GET /oauth/authorize sends the browser back to the redirect_uri with a one-time code and the state;
- POST /oauth/token exchanges the code (with the client's id and secret) for a token naming the iD;
- GET /v3.0/<iD>/record returns the public record, as ORCID's public API shapes it.

A test says who signs in next with ``server.next_person``; the server answers only to the client id and
secret it was given, and a code works once. ``portal_uses`` configures the portal for it, through the settings
that ORCID_CLIENT_ID, ORCID_CLIENT_SECRET and ORCID_BASE_DOMAIN set in production.
"""

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class OrcidPerson:
    orcid: str
    given_names: str = "Amara"
    family_name: str = "Okafor"
    emails: list[str] = field(default_factory=list)

    def record(self) -> dict:
        return {
            "orcid-identifier": {"uri": f"https://orcid.org/{self.orcid}", "path": self.orcid, "host": "orcid.org"},
            "person": {
                "name": {
                    "given-names": {"value": self.given_names},
                    "family-name": {"value": self.family_name},
                },
                "emails": {"email": [{"email": email, "verified": True} for email in self.emails]},
            },
        }


CLIENT_ID = "APP-TESTONLY00000000"
CLIENT_SECRET = "test-only-not-a-secret"  # noqa: S105 - the fake server's, never a real client's


def portal_uses(settings, fake: "FakeOrcid") -> None:
    """Point the portal at `fake`, as ORCID_CLIENT_ID and friends would point it at orcid.org."""
    settings.ORCID_BASE_URL = fake.url
    settings.ORCID_API_URL = fake.url
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {
            **settings.SOCIALACCOUNT_PROVIDERS["orcid"],
            "APPS": [{"client_id": fake.client_id, "secret": fake.client_secret}],
        }
    }
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {**directives, "form-action": ["'self'", fake.url]},
    }


class FakeOrcid:
    def __init__(self, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.client_id = client_id
        self.client_secret = client_secret
        self.next_person = OrcidPerson(orcid="0000-0002-1825-0097")
        self.people: dict[str, OrcidPerson] = {}
        self.codes: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - the base class's signature
                pass

            def _json(self, status: int, body: dict):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                fake.requests.append(f"GET {url.path}")
                if url.path == "/oauth/authorize":
                    if query.get("client_id") != fake.client_id or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    person = fake.next_person
                    fake.people[person.orcid] = person
                    code = secrets.token_urlsafe(8)
                    fake.codes[code] = person.orcid
                    back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                    return None
                parts = url.path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == "v3.0" and parts[2] == "record" and parts[1] in fake.people:
                    if "application/orcid+json" not in self.headers.get("Accept", ""):
                        return self._json(406, {"error": "not acceptable"})
                    return self._json(200, fake.people[parts[1]].record())
                return self._json(404, {"error": "not found"})

            def do_POST(self):
                url = urlsplit(self.path)
                fake.requests.append(f"POST {url.path}")
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path != "/oauth/token":
                    return self._json(404, {"error": "not found"})
                if form.get("client_id") != fake.client_id or form.get("client_secret") != fake.client_secret:
                    return self._json(401, {"error": "invalid_client"})
                orcid = fake.codes.pop(form.get("code", ""), None)
                if orcid is None or form.get("grant_type") != "authorization_code":
                    return self._json(400, {"error": "invalid_grant"})
                person = fake.people[orcid]
                token = secrets.token_urlsafe(16)
                fake.tokens[token] = orcid
                return self._json(
                    200,
                    {
                        "access_token": token,
                        "token_type": "bearer",
                        "refresh_token": secrets.token_urlsafe(16),
                        "expires_in": 631138518,
                        "scope": "/authenticate",
                        "name": f"{person.given_names} {person.family_name}",
                        "orcid": orcid,
                    },
                )

        return Handler
