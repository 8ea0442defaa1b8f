"""The HTML report: self-contained, escaped, and usable in a real browser (headless Chromium)."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EARLIER, LATER, SEEDS

HOSTILE = [
    '<script>document.title="owned"</script>',
    "<img src=x onerror=\"document.title='owned'\">",
    "</textarea></table></details><b>bold</b>",
]


def _corpus(tmp_path: Path) -> Path:
    """The seeds plus a pair of documents full of markup that must show as text."""
    records = [{"id": p.name, "text": p.read_text()} for p in (EARLIER, LATER)]
    story = (
        "The committee published its annual report on Thursday and said the museum had "
        "welcomed more visitors than in any year since it opened. "
    )
    hostile = " ".join(HOSTILE)
    records.append({"id": "<b>a</b>", "text": story + hostile})
    records.append({"id": "plain", "text": story + hostile + " Entry stays free."})
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _report(tmp_path: Path, command: str = "dedup") -> Path:
    report = tmp_path / "report.html"
    output = tmp_path / ("kept.jsonl" if command == "dedup" else "pairs.jsonl")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "neardup",
            command,
            _corpus(tmp_path),
            "-o",
            output,
            "--report",
            report,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert f"report: {report}" in run.stdout
    return report


@pytest.mark.parametrize("command", ["dedup", "find"])
def test_report_is_self_contained_and_escaped(tmp_path: Path, command: str) -> None:
    html = _report(tmp_path, command).read_text()
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "&lt;script&gt;" in html and "&lt;/textarea&gt;" in html
    assert "&lt;b&gt;a&lt;/b&gt;" in html  # ids are escaped too
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no network request
    assert "Content-Security-Policy" in html
    assert "Your browser doesn’t support HTML5" in html
    assert "threshold 0.8" in html and "threshold 0.7" in html


def test_report_rejects_other_extensions(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "neardup",
            "find",
            SEEDS,
            "-o",
            tmp_path / "p.jsonl",
            "--report",
            tmp_path / "r.pdf",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "a report is an .html file" in run.stderr


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.skip("no Chromium (`make test` installs Debian's chromium when it can)")


def _launch(playwright):  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, making no request of its own."""
    return playwright.chromium.launch(
        executable_path=_chromium(),
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


@pytest.mark.slow
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    report = _report(tmp_path)
    errors: list[str] = []
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        assert page.title() == "neardup report"  # no injected script renamed it
        first = page.locator("details.pair").first
        assert first.is_visible()
        assert EARLIER.name in first.inner_text() and LATER.name in first.inner_text()
        assert page.locator("details.pair[open] tr.boilerplate").count() == 4
        assert page.locator("details.pair[open] tr.edited").count() == 2
        assert page.locator("details.pair[open] tr.added").count() == 8
        assert page.locator("svg#histogram-1 rect").count() == 20
        assert page.locator("img").count() == 0  # the hostile <img> is text
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert all(url.startswith("file:") for url in requests), requests
    assert (tmp_path / "report.png").stat().st_size > 10_000


#: For each histogram: the count labels that overlap the threshold's label, and whether that
#: label stands wholly inside the figure, as Chromium lays them out.
_LABEL_LAYOUT = """() => [...document.querySelectorAll("svg[id^=histogram]")].map(svg => {
    const box = e => e.getBoundingClientRect();
    const label = box(svg.querySelector("text.threshold"));
    const meets = b => b.left < label.right && label.left < b.right
        && b.top < label.bottom && label.top < b.bottom;
    const figure = box(svg);
    return {
        overlapping: [...svg.querySelectorAll("text.count")].filter(t => meets(box(t)))
            .map(t => t.textContent),
        inside: figure.left <= label.left && label.right <= figure.right
            && figure.top <= label.top,
    };
})"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "thresholds", [[], ["--jaccard", "0.95", "--containment", "0.72"]], ids=["default", "edge"]
)
def test_threshold_labels_overlap_no_bar_count(tmp_path: Path, thresholds: list[str]) -> None:
    """examples/news.jsonl has its tallest bars just past both default thresholds."""
    playwright = pytest.importorskip("playwright.sync_api")
    report = tmp_path / "report.html"
    news = Path(__file__).resolve().parents[2] / "examples" / "news.jsonl"
    command = [sys.executable, "-m", "neardup", "dedup", news, "-o", tmp_path / "kept.jsonl"]
    run = subprocess.run([*command, "--report", report, *thresholds], capture_output=True)
    assert run.returncode == 0, run.stderr
    with playwright.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.goto(report.as_uri())
        layout = page.evaluate(_LABEL_LAYOUT)
        browser.close()
    assert layout == [{"overlapping": [], "inside": True}] * 2


def test_the_facts_shown_leave_out_the_furniture_the_run_left_out() -> None:
    """A line recurring across the corpus is furniture: its names are no fact of the story, in
    the report as in the rule that decided."""
    from neardup.core.furniture import Furniture, recurring_lines
    from neardup.explain.report import render_report
    from neardup.options import Options
    from neardup.results import Pair, Summary

    story = "The bank said on Monday it raised its prime lending rate to 7.75 pct."
    chase, chemical = "Read more at Chase Manhattan News", "Read more at Chemical Bank News"
    texts = {"a": f"{story}\n{chase}", "b": f"{story}\n{chemical}"}
    # Each link line in three texts, the story's line in two: only the links are furniture.
    fillers = [f"{n} news.\n{line}" for n in ("Other", "More") for line in (chase, chemical)]
    furniture = Furniture(frozenset(recurring_lines([*texts.values(), *fillers], min_docs=3)))
    pair = Pair(
        id_a="a",
        id_b="b",
        relation="near-duplicate",
        jaccard=0.8,
        containment_a_in_b=0.9,
        containment_b_in_a=0.9,
    )
    shown = {}
    for name, left_out in (("patterns", Furniture()), ("corpus", furniture)):
        html = render_report(
            summary=Summary(),
            options=Options(),
            pairs=[pair],
            clusters=[],
            texts=texts,
            furniture=left_out,
        )
        shown[name] = re.findall(r'<p class="note">(Facts that [^<]*)</p>', html)
    assert shown["patterns"] == [
        "Facts that differ: Chase Manhattan News → Chemical Bank News",
        "Facts that agree: Monday, 7.75 pct",
    ]
    assert shown["corpus"] == ["Facts that agree: Monday, 7.75 pct"]
