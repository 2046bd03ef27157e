"""What a browser and a screen reader take from a rendered form: its fields, their labels, their errors."""

from html.parser import HTMLParser

VOID = {"input", "br", "img", "hr", "meta", "link", "source", "col", "area", "base", "wbr", "option"}


class Page(HTMLParser):
    """Every element as a dict of its attributes, with "tag" and the "text" inside it (whitespace collapsed)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(markup)
        for element in self.elements:
            element["text"] = " ".join(element["text"].split())

    def handle_starttag(self, tag, attrs):
        element = {**{name: value or "" for name, value in attrs}, "tag": tag, "text": ""}
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth]["tag"] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def by_id(self, element_id: str) -> dict:
        return next(element for element in self.elements if element.get("id") == element_id)

    def fields(self) -> list[dict]:
        """The inputs a person fills in, in page order (hidden inputs and buttons left out)."""
        return [
            element
            for element in self.elements
            if element["tag"] in ("input", "select", "textarea")
            and element.get("type") not in ("hidden", "submit", "button")
        ]

    def label_of(self, field: dict) -> str:
        """The text of the <label for=...> naming this field; "" when no label points at it."""
        return next(
            (
                element["text"]
                for element in self.elements
                if element["tag"] == "label" and element.get("for") == field.get("id")
            ),
            "",
        )

    def errors_of(self, field: dict) -> str:
        """The text of the invalid-feedback element(s) the field's aria-describedby points at."""
        described = field.get("aria-describedby", "").split()
        return " ".join(
            self.by_id(name)["text"]
            for name in described
            if "invalid-feedback" in self.by_id(name).get("class", "").split()
        )
