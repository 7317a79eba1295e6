"""Highlighted text from character offsets: exact text, nesting, escaping, bounded work."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from helpers import python_steps

from pipeline.highlight import Highlight, css_name, highlight_html


class _Marks(HTMLParser):
    """The visible text without labels, and the text inside each <mark> by its kind."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.open: list[tuple[str, int]] = []  # (kind, start in text)
        self.marks: list[tuple[str, str]] = []
        self.in_label = 0
        self.tags: list[str] = []
        self.attribute_names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attribute_names |= {name for name, _ in attrs}
        classes = (dict(attrs).get("class") or "").split()
        if tag == "mark":
            kind = next(c[3:] for c in classes if c.startswith("hl-") and c not in ("hl-cont", "hl-low"))
            self.open.append((kind, len(self.text)))
        elif "hl-label" in classes:
            self.in_label += 1

    def handle_endtag(self, tag):
        if tag == "mark":
            kind, start = self.open.pop()
            self.marks.append((kind, self.text[start:]))
        elif tag == "span" and self.in_label:
            self.in_label -= 1

    def handle_data(self, data):
        if not self.in_label:
            self.text += data


def _parse(markup: str) -> _Marks:
    parsed = _Marks()
    parsed.feed(markup)
    return parsed


TEXT = "Arvid Tromsdal (Norwegen) sagte: „Ich fahre für Fjordlicht Racing.“\n\nEnde."


def test_text_is_drawn_exactly_with_nested_entities_inside_a_quote() -> None:
    quote_start = TEXT.index("Ich")
    team_start = TEXT.index("Fjordlicht")
    spans = [
        Highlight(0, 14, "DRIVER", "DRIVER"),
        Highlight(16, 24, "HOMETOWN", "HOMETOWN"),
        Highlight(quote_start, TEXT.index("“"), "QUOTE", "QUOTE: Arvid Tromsdal"),
        Highlight(team_start, team_start + len("Fjordlicht Racing"), "TEAM", "TEAM"),
    ]

    parsed = _parse(highlight_html(TEXT, spans))

    assert parsed.text == TEXT  # spacing, brackets and line breaks as written
    assert ("HOMETOWN", "Norwegen") in parsed.marks
    assert ("TEAM", "Fjordlicht Racing") in parsed.marks
    assert ("QUOTE", "Ich fahre für Fjordlicht Racing.") in parsed.marks


def test_a_span_crossing_another_is_drawn_in_pieces_with_one_label() -> None:
    text = "eins zwei drei vier"
    spans = [Highlight(0, 9, "QUOTE", "QUOTE: ?"), Highlight(5, 14, "TEAM", "TEAM X")]

    markup = highlight_html(text, spans)
    parsed = _parse(markup)

    assert parsed.text == text
    assert markup.count("TEAM X") == 1 and markup.count("QUOTE: ?") == 1
    assert [text for kind, text in parsed.marks if kind == "TEAM"] == ["zwei", " drei"]
    assert "hl-cont" in markup  # the second piece is marked as a continuation


def test_text_labels_and_attributes_are_escaped() -> None:
    text = '<script>alert(1)</script> "x" & <img src=x onerror=alert(2)>'
    spans = [Highlight(0, 8, "DRIVER", '<b onclick="x()">', data=(("driver", '"><script>y()</script>'),),
                       anchor='a" onmouseover="z()', title="<i>t</i>"),
             Highlight(9, 20, "<svg onload=1>", "odd")]

    markup = highlight_html(text, spans)
    parsed = _parse(markup)

    assert parsed.text == text
    assert set(parsed.tags) <= {"div", "mark", "span"}  # no tag from the text or the labels
    assert parsed.attribute_names <= {"class", "style", "id", "title", "data-driver"}  # no onclick, onmouseover
    assert "<script" not in markup
    assert 'class="hl hl-OTHER"' in markup  # an unsafe kind never reaches a class name


def test_spans_outside_the_text_or_empty_are_ignored() -> None:
    spans = [Highlight(-1, 3, "TEAM", "T"), Highlight(3, 3, "TEAM", "T"), Highlight(2, 99, "TEAM", "T"),
             Highlight(0, 4, "CAR", "CAR")]

    parsed = _parse(highlight_html("Auto fährt", spans))

    assert parsed.marks == [("CAR", "Auto")]
    assert parsed.text == "Auto fährt"


def test_css_names_allow_only_plain_words() -> None:
    assert css_name("RACE_CLASS") == "RACE_CLASS"
    assert css_name("a b") == css_name('x"') == css_name("") == "OTHER"


def test_many_spans_render_in_linear_time() -> None:
    def steps(count: int) -> int:
        text = "Wort " * count
        spans = [Highlight(5 * i, 5 * i + 4, "TEAM", "TEAM") for i in range(count)]
        spans.append(Highlight(0, len(text), "QUOTE", "QUOTE: ?"))  # one quote around everything
        markup, steps = python_steps(highlight_html, text, spans)
        assert len(re.findall("<mark", markup)) == count + 1
        return steps

    small, large = steps(2_000), steps(20_000)

    assert large < small * 12  # 10× the spans: about 10× the work, far from 100×
