"""End to end in a real browser: JupyterLab in headless Chromium runs a notebook the way a learner does.

Starts the course's JupyterLab (as `make lab` does) on a copy of notebooks/, opens 3.7 in Chromium driven by
Playwright, runs all cells from the Run menu with the kernel in smoke mode, then checks what the page shows:
no error outputs, the live training plot as SVG, and the check cell's result. A screenshot goes to
$D2L_TEST_ARTIFACTS (or the test's tmp_path). Skipped without /usr/bin/chromium or Playwright, unless
D2L_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure. Never run `playwright install`: we use Debian's Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ._jupyter import REPO, LabServer, isolated_env, jupyter_lab

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google services, which hangs on a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOK = "03_linear_networks/03_07_softmax_regression_concise.ipynb"
RUN_TIMEOUT_S = 240  # smoke mode runs the notebook in ~10 s; generous for `make test` with every core busy

# JupyterLab user settings for the test's private settings folder: no news/update prompt over the page,
# no autosave, and every cell attached to the DOM (some JupyterLab 4 releases attach only the cells in view).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
# An error output reaches the page as stderr text holding the traceback (JupyterLab 4 has no renderer for
# application/vnd.jupyter.error); IPython's tracebacks start with a rule and "<Name>Error   Traceback (...)".
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^-{20,}$|^\w*(Error|Exception)\b", re.MULTILINE)
SVG_IMAGE = '.jp-OutputArea-output.jp-RenderedSVG img[src^="data:image/svg+xml"]'


@pytest.fixture
def sync_api() -> Any:
    """playwright.sync_api, or skip (fail under D2L_REQUIRE_BROWSER=1) when it or Chromium is missing."""
    required = os.environ.get("D2L_REQUIRE_BROWSER") == "1"
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} is missing (install it: sudo apt-get install chromium)")
    try:
        from playwright import sync_api as api
    except ImportError:
        api = None
        missing.append("Playwright is not installed (.venv/bin/pip install -r requirements.txt)")
    if missing:
        reason = "browser test needs " + "; ".join(missing)
        if required:
            pytest.fail(reason + " -- D2L_REQUIRE_BROWSER=1 demands it")
        pytest.skip(reason)
    return api


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("D2L_TEST_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[LabServer]:
    """JupyterLab on a copy of notebooks/ (the repository's notebooks are never opened, so never saved)."""
    root = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # Open 3.7 without its committed outputs, so every prompt, plot and result on the page comes from this run.
    nb_path = root / NOTEBOOK
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    state = tmp_path / "jupyter"
    env = isolated_env(state, {"D2L_SMOKE": "1"})  # D2L_DATA_DIR passes through from the test's environment
    env.pop("MPLBACKEND", None)  # conftest sets Agg for the tests; the kernel picks its inline backend as in `make lab`
    for plugin, values in LAB_SETTINGS.items():
        settings = Path(env["JUPYTERLAB_SETTINGS_DIR"], plugin + ".jupyterlab-settings")
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps(values))
    with jupyter_lab(root, state, env) as server:
        yield server


def _wait_for(what: str, condition: Callable[[], Any], timeout: float, interval: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _kernel_state(lab: LabServer) -> str | None:
    """execution_state of the notebook's kernel as the server reports it (None: no session yet)."""
    for session in lab.api("/api/sessions"):  # type: ignore[union-attr]
        if session["path"] == NOTEBOOK and session.get("kernel"):
            return session["kernel"]["execution_state"]
    return None


def _prompts(page: Any) -> list[str]:
    """The input prompt of every code cell on the page: '[3]:', '[*]:' (running or queued), '[ ]:'."""
    return page.eval_on_selector_all(".jp-Notebook .jp-CodeCell .jp-InputPrompt",
                                     "nodes => nodes.map(n => n.textContent.trim())")


def _run_all_cells(page: Any) -> None:
    """Run > Run All Cells from the menu bar; the command palette if the menu does not respond."""
    try:
        page.locator("#jp-MainMenu .lm-MenuBar-item", has_text=re.compile(r"^Run$")).click(timeout=10_000)
        # The Run menu's entry is the generic `runmenu:run-all`, which runs the current notebook's cells.
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]:not(.lm-mod-disabled)').click(timeout=10_000)
    except Exception:  # any UI hiccup: close the menus and use the palette instead
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Shift+C")
        page.locator(".lm-CommandPalette-input").fill("Run All Cells")
        label = page.locator(".lm-CommandPalette-item:not(.lm-mod-disabled) .lm-CommandPalette-itemLabel",
                             has_text=re.compile(r"^Run All Cells$"))
        label.first.click(timeout=10_000)


@pytest.mark.timeout(RUN_TIMEOUT_S + 120)
def test_notebook_runs_in_jupyterlab(sync_api: Any, lab: LabServer, artifacts: Path, tmp_path: Path) -> None:
    nb = json.loads((tmp_path / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))  # the copy the server opens
    code = ["".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code"]
    num_code_cells = len(code)
    training_cell = next(i for i, source in enumerate(code) if "d2l.train_ch3(" in source)
    screenshot = artifacts / (Path(NOTEBOOK).stem + ".png")

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
            _wait_for("the notebook's code cells", lambda: len(_prompts(page)) == num_code_cells, 90)
            _wait_for("an idle kernel", lambda: _kernel_state(lab) == "idle", 90)
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for()

            _run_all_cells(page)

            def errors() -> list[str]:
                stderr = page.eval_on_selector_all(STDERR_OUTPUT, "nodes => nodes.map(n => n.textContent)")
                return [text for text in stderr if TRACEBACK.search(text)]

            def finished() -> bool:  # every cell ran, or one failed and stopped the run; then the kernel is idle
                prompts = _prompts(page)
                done = all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) or ("[*]:" not in prompts and errors())
                return bool(done) and _kernel_state(lab) == "idle"

            _wait_for("Run All Cells to finish", finished, RUN_TIMEOUT_S, interval=0.5)
            assert not errors(), "error output in the notebook:\n" + "\n\n".join(errors())
            prompts = _prompts(page)
            expected = [f"[{i}]:" for i in range(1, num_code_cells + 1)]
            assert prompts == expected, f"not every cell ran once, in order: {prompts}"

            # The live training plot, redrawn in place: JupyterLab renders image/svg+xml as <img src="data:...">.
            training = page.locator(".jp-Notebook .jp-CodeCell").nth(training_cell)
            plot = training.locator(SVG_IMAGE)
            assert plot.count() == 1, f"the training cell should show one plot, shows {plot.count()}"
            plot.scroll_into_view_if_needed()
            _wait_for("the plot to render", lambda: plot.evaluate("img => img.complete && img.naturalWidth > 0"), 10)
            assert re.search(r"train loss [\d.]+, train acc [\d.]+, test acc [\d.]+", training.inner_text())

            # The ## Check cell's asserts passed (no error above); it ends showing the accuracy (> 0.5 in smoke mode).
            check = page.locator(".jp-Notebook .jp-CodeCell").last.locator(
                ".jp-OutputArea-executeResult .jp-OutputArea-output")
            result = check.inner_text().strip()
            assert re.fullmatch(r"0\.\d+", result) and float(result) > 0.5, f"check cell shows {result!r}"
        finally:
            try:
                page.screenshot(path=str(screenshot))
                print(f"screenshot: {screenshot}")
            finally:
                browser.close()
