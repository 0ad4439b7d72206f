"""Read a rendered form as a browser would submit it: every named input, select and textarea of the form,
checked checkboxes and radios only, the selected options (a single select with none selected submits its
first option), a textarea's text without the one newline a browser drops after the tag, and date, time and
number values that a browser would drop as malformed submitted empty."""

import re
from html.parser import HTMLParser

Submitted = dict[str, list[str]]

_NOT_SUBMITTED = {"submit", "button", "reset", "image", "file"}

# A browser sanitises these inputs' values (HTML "value sanitization algorithm"): a value that is not in
# the input's format is dropped, the field shows empty and submits "". This is how a Dutch 01-12-2026
# inside <input type="date"> is lost on save.
_FORMATS = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "number": re.compile(r"-?(\d+|\d*\.\d+)([eE][-+]?\d+)?"),
}


def browser_value(kind: str, value: str) -> str:
    pattern = _FORMATS.get(kind)
    return value if pattern is None or pattern.fullmatch(value) else ""


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.found, self.inside = action, False, False
        self.values: Submitted = {}
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._option: tuple[str, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and not self.found and a.get("action", "") == self.action:
            self.found = self.inside = True
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in _NOT_SUBMITTED or (kind in {"checkbox", "radio"} and "checked" not in a):
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self._add(a["name"], browser_value(kind, a.get("value", default)))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a, [], [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)  # type: ignore[assignment]
            self._option_text = ""
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._text += data

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected = self._option
            value = self._option_text.strip() if value is None else value
            self._select[2].append(value)
            if selected:
                self._select[3].append(value)
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, multiple, options, selected = self._select
            chosen = selected if multiple else (selected[-1:] or options[:1])
            for value in chosen:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self._add(self._textarea, text.replace("\r\n", "\n"))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def submitted_values(html: str, action: str) -> Submitted:
    """What the form posting to ``action`` (``""`` for the page itself) would send."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no <form action={action!r}> on the page"
    return reader.values
