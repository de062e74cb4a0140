"""Turn Markdown, HTML and plain-text files into a title and a plain body.

Bodies keep their structure in a light Markdown form: section headings stay on their own
line prefixed with `#`, list items with `- `, and paragraphs are separated by blank
lines. Inline markup (emphasis, links, code spans, tags) is removed so the indexed and
quoted text is the wording a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt"})
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """The readable content of one file."""

    title: str
    text: str


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _tidy_lines(lines: list[str]) -> str:
    """Strip trailing spaces and squeeze runs of blank lines into one."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_REF_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SETEXT_RULE = re.compile(r"^\s*(=+|-+)\s*$")
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
)


def strip_inline_markdown(text: str) -> str:
    """Remove inline Markdown markup (links, emphasis, code spans, tags), keep the words."""
    for pattern, replacement in _INLINE_RULES:
        text = pattern.sub(replacement, text)
    return text


def parse_markdown(source: str, fallback_title: str) -> ParsedDocument:
    """Parse Markdown: the title is the first `# ` heading, else `fallback_title`."""
    source = _HTML_COMMENT.sub("", _FRONT_MATTER.sub("", source.replace("\r\n", "\n")))
    title = ""
    lines: list[str] = []
    in_fence = False
    for raw in source.split("\n"):
        if _FENCE.match(raw):
            in_fence = not in_fence
            lines.append(raw.strip())
            continue
        if in_fence:
            lines.append(raw)
            continue
        heading = _ATX_HEADING.match(raw)
        if heading:
            level, content = len(heading.group(1)), strip_inline_markdown(heading.group(2))
            if level == 1 and not title and content.strip():
                title = _collapse(content)
                continue
            lines.extend(["", "#" * level + " " + _collapse(content), ""])
            continue
        if _SETEXT_RULE.match(raw):
            if lines and lines[-1].strip() and not lines[-1].lstrip().startswith(("|", "#")):
                lines[-1] = "## " + lines[-1].strip()
                lines.append("")
            continue
        if _REF_DEFINITION.match(raw) or _TABLE_RULE.match(raw):
            continue
        line = re.sub(r"^\s{0,3}>\s?", "", raw)
        line = re.sub(r"^(\s*)[*+]\s+", r"\1- ", line)
        lines.append(strip_inline_markdown(line))
    return ParsedDocument(title=title or fallback_title, text=_tidy_lines(lines))


def parse_text(source: str, fallback_title: str) -> ParsedDocument:
    """Parse plain text: the title is the file name's stem, the body the text as is."""
    return ParsedDocument(title=fallback_title, text=_tidy_lines(source.splitlines()))


_BLOCK_TAGS_TEXT = """
address article aside blockquote body dd details div dl dt fieldset figcaption figure form
h1 h2 h3 h4 h5 h6 hr li main ol p pre section summary table tbody thead tfoot tr ul
"""
_BLOCK_TAGS = frozenset(_BLOCK_TAGS_TEXT.split())
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "nav", "footer"})


class _HTMLText(HTMLParser):
    """Collect the title, the first <h1> and the visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.first_h1 = ""
        self.lines: list[str] = []
        self._buffer: list[str] = []
        self._skip_depth = 0
        self._in_title = False
        self._title_parts: list[str] = []
        self._prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
        elif tag == "br":
            self._flush()
        elif tag in _BLOCK_TAGS:
            self._flush()
            if re.fullmatch(r"h[1-6]", tag):
                self._prefix = "#" * int(tag[1]) + " "
            elif tag == "li":
                self._prefix = "- "
        elif tag in ("td", "th"):
            self._buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "title":
            self._in_title = False
            if not self.title:
                self.title = _collapse("".join(self._title_parts))
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._in_title:
            self._title_parts.append(data)
            return
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = _collapse("".join(self._buffer))
        self._buffer = []
        if not text:
            return
        prefix, self._prefix = self._prefix, ""
        if prefix == "# " and not self.first_h1:
            self.first_h1 = text
        if prefix.startswith("#"):
            self.lines.extend(["", prefix + text, ""])
        elif prefix:
            self.lines.append(prefix + text)
        else:
            self.lines.extend([text, ""])


def parse_html(source: str, fallback_title: str) -> ParsedDocument:
    """Parse HTML with the standard library: title from <title>, else the first <h1>."""
    parser = _HTMLText()
    parser.feed(source)
    parser.close()
    title = parser.title or parser.first_h1 or fallback_title
    lines = list(parser.lines)
    for index, line in enumerate(lines):
        if line.strip():
            if line == "# " + title:
                del lines[index]
            break
    return ParsedDocument(title=title, text=_tidy_lines(lines))


def parse_document(suffix: str, source: str, fallback_title: str) -> ParsedDocument:
    """Parse `source` according to the file suffix (one of `SUPPORTED_SUFFIXES`)."""
    suffix = suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return parse_markdown(source, fallback_title)
    if suffix in HTML_SUFFIXES:
        return parse_html(source, fallback_title)
    if suffix in TEXT_SUFFIXES:
        return parse_text(source, fallback_title)
    raise ValueError(f"unsupported file type: {suffix or '(none)'}")
