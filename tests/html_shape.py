"""Compare two renderings of the same markup by what a browser sees, not by their whitespace."""

from html.parser import HTMLParser


class MarkupShape(HTMLParser):
    """Tags, sorted attributes (and sorted class names) and text, whitespace ignored."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.items: list[tuple] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.items.append(("<", tag, sorted((k, " ".join(sorted((v or "").split()))) for k, v in attrs)))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        if data.split():
            self.items.append(("text", " ".join(data.split())))
