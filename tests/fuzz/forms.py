"""The fields a page's forms would send as they are, read from the HTML (what a browser posts untouched)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self.files: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name, value):
        self.fields.setdefault(name, []).append(value or "")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._add(self._select, value)
                self._selected = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self._add(self._select, self._first_option)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, self._text)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def form_defaults(page: str) -> tuple[dict[str, list[str]], list[str]]:
    """({field name: values as the page would post them}, [file field names]) over every form of the page."""
    reader = _FormReader()
    reader.feed(page)
    return reader.fields, reader.files
