"""The documentation site: strict build, an API reference for every public name, no
third-party resources."""

from __future__ import annotations

import html
import importlib
import json
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

import yaml

from .conftest import ROOT, build_site

SNAPSHOT = ROOT / "api" / "gototraining.api.json"


def inventory(site: Path) -> set[str]:
    """Object names in the site's Sphinx-style inventory (objects.inv, written by mkdocstrings)."""
    data = (site / "objects.inv").read_bytes()
    header_end = 0
    for _ in range(4):  # four header lines, then the zlib stream
        header_end = data.index(b"\n", header_end) + 1
    body = zlib.decompress(data[header_end:]).decode()
    return {line.split(" ", 1)[0] for line in body.splitlines() if line.strip()}


def _resolve(path: str) -> Any:
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            obj = getattr(obj, part)
        return obj
    raise LookupError(path)


def undocumented(names: set[str], public: list[str]) -> list[str]:
    """Public names (snapshot keys) the reference does not document.

    Covered: the name itself; a special member (``__init__``, ``__enter__``) of a documented
    class (rendered with the class); an inherited member documented on the class defining it.
    """
    missing = []
    for key in public:
        if key in names:
            continue
        parent, _, member = key.rpartition(".")
        if member.startswith("__") and parent in names:
            continue
        owner = _resolve(parent)
        if isinstance(owner, type) and any(
            name.endswith(f".{base.__name__}.{member}") for base in owner.__mro__ for name in names
        ):
            continue
        missing.append(key)
    return missing


def test_reference_documents_every_public_name(docs_site: Path) -> None:
    public = list(json.loads(SNAPSHOT.read_text()))
    names = inventory(docs_site)
    assert len(public) > 100
    assert undocumented(names, public) == []


def test_coverage_check_notices_a_missing_name(docs_site: Path) -> None:
    names = inventory(docs_site)
    assert undocumented(names - {"gototraining.RetryPolicy"}, ["gototraining.RetryPolicy"]) == [
        "gototraining.RetryPolicy"
    ]


def test_every_page_is_in_the_nav() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)

    def pages(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [p for item in node for p in pages(item)]
        return [p for value in node.values() for p in pages(value)]

    in_nav = set(pages(config["nav"]))
    on_disk = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk == in_nav


def test_pages_load_nothing_from_other_sites(docs_site: Path) -> None:
    """No fonts, scripts or styles from a CDN: the site works offline and tracks nobody."""
    external = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)=["'](?:https?:)?//""")
    offenders = {
        str(page.relative_to(docs_site)): external.findall(page.read_text())
        for page in docs_site.rglob("*.html")
    }
    assert {page: found for page, found in offenders.items() if found} == {}
    assert len(offenders) >= 20


def test_strict_build_fails_on_broken_links_references_and_orphans(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("facade", "generated", "CHANGELOG.md", "mkdocs.yml"):
        (project / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "docs", project / "docs")
    index = project / "docs" / "index.md"
    index.write_text(
        index.read_text()
        + "\n[gone](no-such-page.md) and [a method][gototraining.GoToTraining.no_such_method]\n"
    )
    (project / "docs" / "orphan.md").write_text("# Not in the nav\n")

    result = build_site(project, tmp_path / "site")

    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr
    assert "gototraining.GoToTraining.no_such_method" in result.stderr
    assert "orphan.md" in result.stderr


# -- no raw markup in the rendered pages ----------------------------------------------------------

#: Sphinx/reST roles (``:meth:`x```) that mkdocstrings does not understand: shown literally.
_ROLE = re.compile(r"(?<![\w:]):(?:py:)?(?:meth|class|func|attr|data|mod|exc|obj|const|ref|doc):")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"<code\b.*?</code>", re.DOTALL)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment))


def raw_markup(page: str) -> list[str]:
    """What a reader would see as raw reST in a rendered page: a role (``:meth:``), a
    paragraph ending in ``::`` (reST's "code follows", which leaves the code after it
    unhighlighted), a private class after ``Bases:`` (one the reference cannot link to)."""
    found = []
    prose = _PRE.sub("", page)
    # A role shown as code (`:meth:` in a sentence about roles) is meant; one left in prose
    # renders as ":meth:<code>start</code>".
    for match in _ROLE.finditer(_text(_CODE.sub("", prose))):
        found.append(f"role {match.group()}")
    for paragraph in _PARAGRAPH.findall(prose):
        text = " ".join(_text(paragraph).split())
        if text.endswith("::"):
            found.append(f"'::' paragraph: {text[-60:]!r}")
        if text.startswith("Bases:"):
            bases = paragraph
            while (plain := re.sub(r"\[[^\[\]]*\]", "", bases)) != bases:  # type arguments
                bases = plain
            for title, name in re.findall(r'<span title="([^"]+)">([^<]*)</span>', bases):
                if title.startswith("gototraining.") or name.startswith("_"):
                    found.append(f"private base {title}")  # not linked: undocumented
    return found


def test_no_page_shows_raw_markup(docs_site: Path) -> None:
    offenders = {
        str(page.relative_to(docs_site)): found
        for page in sorted(docs_site.rglob("*.html"))
        if (found := raw_markup(page.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_raw_markup_check_finds_what_mkdocstrings_leaves() -> None:
    """The shapes the reference showed before its docstrings used mkdocstrings' syntax."""
    page = (
        "<p>or call :meth:<code>start</code> / (:func:<code>exchange</code>)</p>\n"
        "<p>GoToTraining Python SDK.</p><p>::</p>"
        "<p>The document; durations in whole minutes::</p><pre><code>{}</code></pre>\n"
        '<p>Bases: <code><span title="gototraining._client._BaseClient">_BaseClient</span>['
        '<span title="httpx.Client">Client</span>]</code></p>\n'
        '<p>Bases: <code><span title="gototraining._resource.SyncResource">SyncResource</span>'
        "</code></p>\n"
        '<p>Bases: <code><a class="autorefs" title="APIError (gototraining._errors.APIError)" '
        'href="#gototraining.APIError">APIError</a></code></p>\n'
        '<p>Bases: <code><span title="typing.Generic">Generic</span>['
        '<span title="gototraining._resource.T">T</span>]</code></p>\n'
        "<pre><code>a :class:`literal` in a code listing is code</code></pre>"
        "<p>Roles such as <code>:meth:</code> render literally.</p>"
    )
    assert raw_markup(page) == [
        "role :meth:",
        "role :func:",
        "'::' paragraph: '::'",
        "'::' paragraph: 'The document; durations in whole minutes::'",
        "private base gototraining._client._BaseClient",
        "private base gototraining._resource.SyncResource",
    ]
