"""Errors as RFC 9457 problem details (``application/problem+json``), and a request's
parameters read as the pages read a link.

A bad parameter is named in the words of the page's link warning (``view.urlstate``): the
400's ``detail`` lists them, and ``invalid-params`` has one entry per parameter and value,
``{"name", "value", "reason", "message"}``, ``message`` being the page's warning itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus

from starlette.responses import Response

from strategic_sites.view import urlstate
from strategic_sites.view.urlstate import quoted as shown_value  # how a link's warning quotes a value

PROBLEM = "application/problem+json"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Content-Disposition, X-Atlas-Data-Version, X-Atlas-Data-Requested, "
    "X-Atlas-Data-Changes, X-Atlas-Data-Problem",
}
# "Ignored country=XYZ: not a known host country code (…)." (urlstate's warnings: no reason holds ": ")
_WARNING = re.compile(r"^Ignored (?P<name>[A-Za-z_]+)=(?P<value>.*): (?P<reason>[^:]*)\.$", re.DOTALL)


def invalid_param(message: str) -> dict:
    """A link warning as an ``invalid-params`` entry: the parameter, the value and why."""
    match = _WARNING.match(message)
    if match is None:  # a warning worded otherwise: named by the parameter it starts with
        name = next((p for p in urlstate.PARAMS if f" {p}=" in message), "")
        return {"name": name, "value": "", "reason": message, "message": message}
    return {"name": match["name"], "value": match["value"], "reason": match["reason"], "message": message}


@dataclass(eq=False)
class Refused(Exception):
    """A request the API answers with a problem."""

    status: int
    detail: str
    invalid: list[dict] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def response(self) -> Response:
        return problem(self.status, self.detail, self.invalid, self.headers, self.extra)


def problem(status: int, detail: str, invalid: list[dict] | None = None, headers: dict | None = None, extra: dict | None = None) -> Response:
    """An RFC 9457 problem: ``type`` about:blank, so ``title`` is the status's phrase."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if invalid:
        body["invalid-params"] = invalid
    body.update(extra or {})
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type=PROBLEM,
        headers={**CORS, "Cache-Control": "no-store", **(headers or {})},
    )


def bad_parameters(invalid: list[dict]) -> Refused:
    """The 400 for a request with parameters that cannot be used: every one named."""
    return Refused(
        400,
        "The request had parameters this atlas cannot use; nothing was answered. " + " ".join(i["message"] for i in invalid),
        invalid,
    )


def refused_param(name: str, value: str, reason: str) -> dict:
    """An API parameter refused (an unknown one, or a page of events that is none), in the
    words of the link warnings: ``Ignored limit=0: not a whole number from 1 to 10000.``"""
    name, value = shown_value(name), shown_value(value)
    return {"name": name, "value": value, "reason": reason, "message": f"Ignored {name}={value}: {reason}."}
