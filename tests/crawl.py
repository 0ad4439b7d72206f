"""A crawler for the server-rendered pages: discovers the pages from the URL conf and the links a user sees,
requests each with odd path ids, odd query values and odd form posts, and reports every server error.

Every request runs in a savepoint that is rolled back, so one user's posts never change what the next
request (or the next user) sees, and a database error in one view cannot poison the rest of the walk.
"""

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

# Third-party pages (allauth, admin), the API (walked by tests/security/test_api_fuzz.py) and language switch.
SKIPPED = ("admin/", "api/", "accounts/", "i18n/", "static/")
ODD_IDS = ("0", "2147483648")  # no such row; past a 32-bit integer column (PostgreSQL refuses it)
ODD_STRINGS = ("abc", "x" * 300, "zoë-🙂")
ODD_VALUES = ("0", "-1", "99999", "abc", "", "x" * 2000, "Zoë 🙂 ünï")
ODD_FIELDS = ("", "abc", "99999999999", "-é" * 1500)  # empty, wrong type, out of range, overlong
KEPT = {"action", "csrfmiddlewaretoken"}  # the action picks the branch to fuzz; kept as the page rendered it
# Real paths fetched per route and per linking route: the first two objects each list links to (a match
# from the list of approved matches and a proposal from a run page are different pages of one route).
PER_ROUTE = 2
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
GET_PARAM = re.compile(r"GET(?:\.get|\.getlist)?[\(\[]\s*[\"'](\w+)[\"']")


def routes() -> list[tuple[str, URLPattern]]:
    """Every page route of the project's own URL conf, as (route with converters, pattern)."""

    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, URLPattern]]:  # type: ignore[type-arg]
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    return [
        (route, p)
        for route, p in walk(get_resolver().url_patterns, "")
        if not route.startswith(SKIPPED) and "^" not in route and "(?P" not in route
    ]


def fill(route: str, value: str) -> str:
    return "/" + CONVERTER.sub(lambda m: value, route)


def odd_paths(route: str) -> list[str]:
    kinds = {m.group(1) or "str" for m in CONVERTER.finditer(route)}
    if not kinds:
        return []
    values = ODD_IDS if kinds == {"int"} else ODD_IDS + ODD_STRINGS
    return [fill(route, v) for v in values]


def query_params(pattern: URLPattern) -> set[str]:
    """The query parameters the view's module reads (``request.GET.get("x")`` and the like) plus paging."""
    module = inspect.getmodule(pattern.callback)
    source = inspect.getsource(module) if module else ""
    return set(GET_PARAM.findall(source)) | {"page"}


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _Page(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.links: list[str] = []
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(Form(a.get("action") or self.path, (a.get("method") or "get").lower()))
        elif tag in ("input", "select", "textarea", "button") and self.forms and a.get("name"):
            fields = self.forms[-1].fields
            if a.get("type") in ("checkbox", "radio") and a["name"] in fields:
                return
            fields[a["name"]] = a.get("value", "")


def parse(path: str, html: str) -> _Page:
    page = _Page(path)
    page.feed(html)
    return page


def route_of(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


def form_variants(form: Form) -> Iterator[dict[str, str]]:
    """Empty, wrong-type, negative, out-of-range and overlong values in every field the page rendered."""
    for value in ODD_FIELDS:
        yield {name: (rendered if name in KEPT else value) for name, rendered in form.fields.items()}


@dataclass
class Crawl:
    client: Client
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    fetched: dict[str, list[str]] = field(default_factory=dict)  # route -> real paths answered 200

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> object:
        self.requests += 1
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(path, data or {})
                transaction.set_rollback(True)
        except Exception as exc:  # every server error is collected, then asserted on
            self.errors.append(f"{method.upper()} {path[:120]} {_short(data)}: {exc!r}"[:400])
            return None
        if response.status_code >= 500:
            self.errors.append(f"{method.upper()} {path[:120]} {_short(data)}: {response.status_code}")
        return response

    def spider(self, start: list[str]) -> list[_Page]:
        """GET pages breadth first from ``start``, following the links the user sees, ``PER_ROUTE`` per route."""
        queue, seen, pages = list(start), set(start), []
        taken: dict[tuple[str | None, str], int] = {}
        while queue:
            path = queue.pop(0)
            response = self.request("get", path)
            if response is None or response.status_code != 200:
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            route = route_of(path)
            if route is not None:
                self.fetched.setdefault(route, []).append(path)
            page = parse(path, response.content.decode())
            pages.append(page)
            for link in page.links + [f.action for f in page.forms if f.method == "get"]:
                link = urlsplit(link).path
                link_route = route_of(link)
                if link in seen or link_route is None or link_route.startswith(SKIPPED):
                    continue
                if taken.get((route, link_route), 0) >= PER_ROUTE:
                    continue
                taken[(route, link_route)] = taken.get((route, link_route), 0) + 1
                seen.add(link)
                queue.append(link)
        return pages


def _short(data: dict[str, str] | None) -> str:
    return repr({k: v[:12] for k, v in (data or {}).items() if k != "csrfmiddlewaretoken"})[:160]


def crawl(client: Client) -> Crawl:
    """Every page of the URL conf for the client's user: real objects reached by links, odd ids, odd query
    values, and every form the pages render posted with odd values."""
    walk = Crawl(client)
    all_routes = routes()
    plain = [fill(route, "") for route, _p in all_routes if not CONVERTER.search(route)]
    pages = walk.spider(["/", *plain])
    for route, pattern in all_routes:
        for i, path in enumerate(odd_paths(route)):
            walk.request("get", path)
            if i == 0:
                walk.request("post", path)
        for path in walk.fetched.get(route, [])[:1]:
            params = query_params(pattern)
            for value in ODD_VALUES:
                walk.request("get", path, dict.fromkeys(params, value))
            walk.request("post", path)
    posted: set[tuple[str, tuple[str, ...]]] = set()
    for page in pages:
        for form in page.forms:
            route = route_of(form.action)
            key = (route or form.action, tuple(sorted(form.fields)))
            # Skipped routes include the logout form: posting it would crawl the rest as nobody.
            if form.method != "post" or route is None or route.startswith(SKIPPED) or key in posted:
                continue
            posted.add(key)
            for data in form_variants(form):
                walk.request("post", form.action, data)
    return walk
