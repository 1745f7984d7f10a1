"""Real browser checks in headless Chromium: JupyterLab runs notebooks, and the lecture site works offline.

* JupyterLab on 127.0.0.1 with a random token, driven through chromedriver (Selenium): it runs all
  cells of notebooks 01 and 02, moves the first slider of an interactive widget with the keyboard, and
  asserts that the figure the widget draws changes. Screenshots land in ``artifacts/browser/``.
* The lecture site (``python -m medcourse site``) of notebook 00, served on 127.0.0.1 to a Chromium
  whose network is off (no name resolves, every other address goes to a dead proxy): every request
  the page makes, logged by Chrome's DevTools, stays on the site; the formulas are typeset, a figure
  is visible and the search box finds a section. Screenshots land in ``artifacts/site/``.

Skipped, with the reason, only where Chromium or chromedriver is not installed
(``apt-get install chromium chromium-driver``; ``.ci/run`` installs them).
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NOTEBOOKS = ["01_medical_images.ipynb", "02_convolution.ipynb"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on a copy of the notebooks (so saving never touches the repository)."""
    folder = tmp_path_factory.mktemp("lab")
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, folder / name)
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path_factory.mktemp("lab-log") / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
         f"--LabApp.workspaces_dir={tmp_path_factory.mktemp('workspaces')}",  # never restore old tabs
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not answer within 90 s")
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def start_chromium(profile: Path, *extra: str, log_requests: bool = False):
    """Headless Chromium through chromedriver, with the course's flags (and ``extra``)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--window-size=1400,1000",
                     f"--user-data-dir={profile}", *extra):
        options.add_argument(argument)
    if log_requests:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def wait_for(driver, script, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(message)


# Scripts run in the page. `window.jupyterapp` is exposed by --LabApp.expose_app_in_browser; a headless
# browser never focuses a widget, so the notebook panel is looked up by its path, not shell.currentWidget.
PANEL = ("const panel = Array.from(window.jupyterapp ? window.jupyterapp.shell.widgets('main') : [])"
         ".find(w => w.context && w.context.path === {name!r});")
KERNEL_IDLE = PANEL + "return !!(panel && panel.sessionContext.session?.kernel?.status === 'idle');"
RUN_ALL = PANEL + ("window.jupyterapp.shell.activateById(panel.id);"  # returning the promise would block
                   "window.jupyterapp.commands.execute('notebook:run-all-cells'); return true;")
ALL_CELLS_RAN = PANEL + """
const prompts = Array.from(panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.textContent);
return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p))
  && panel.sessionContext.session?.kernel?.status === 'idle';
"""
WIDGET_IMAGES = PANEL + """
return Array.from(panel.node.querySelectorAll('.widget-output img, .jupyter-widgets-output-area img'))
  .map(img => img.src.length + ':' + img.src.slice(-200));
"""
ERRORS = PANEL + """
return Array.from(panel.node.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'))
  .map(e => e.textContent).filter(t => /Traceback|Error:/.test(t)).map(t => t.slice(0, 500));
"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_and_its_widget_reacts(jupyterlab, browser, name):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, token = jupyterlab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(f"{base}/lab/tree/{name}?reset&token={token}")  # reset: this notebook is the only tab
    wait_for(browser, KERNEL_IDLE.format(name=name), 120, f"JupyterLab did not open {name} with an idle kernel")
    browser.execute_script(RUN_ALL.format(name=name))
    time.sleep(2)
    try:
        wait_for(browser, f"return (function() {{ {ALL_CELLS_RAN.format(name=name)} }})()"
                          f" || (function() {{ {ERRORS.format(name=name)} }})().length > 0",
                 420, f"not every cell of {name} ran within 7 minutes")
    finally:
        browser.save_screenshot(str(ARTIFACTS / f"{name[:2]}_after_run_all.png"))
    errors = browser.execute_script(ERRORS.format(name=name))
    assert errors == [], f"cells of {name} raised: {errors}"

    sliders = browser.find_elements(By.CSS_SELECTOR, ".widget-slider .noUi-handle, .widget-slider .ui-slider-handle")
    assert sliders, f"{name} shows no slider widget"
    images = WIDGET_IMAGES.format(name=name)
    before = browser.execute_script(images)
    assert before, f"{name}'s widget shows no figure"
    slider = sliders[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
    slider.click()
    for _ in range(5):
        slider.send_keys(Keys.ARROW_RIGHT)
        time.sleep(0.2)
    changed = wait_for(browser, f"const now = (function() {{ {images} }})();"
                                f" return JSON.stringify(now) !== JSON.stringify({before!r}) && now.length > 0;",
                       60, f"moving the slider of {name} did not change the widget's figure")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", slider)
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / f"{name[:2]}_after_slider.png"))
    assert changed


# --- the lecture site with the network off (issue 13, items 11 and 13) --------------------------------


@pytest.fixture(scope="module")
def lecture_site(tmp_path_factory):
    """The site of notebook 00, served on 127.0.0.1 (stopped at the end)."""
    import functools
    import http.server
    import threading

    from medcourse.course import site
    from medcourse.course.run import run_notebook

    notebook = ROOT / "notebooks" / "00_welcome.ipynb"
    executed = tmp_path_factory.mktemp("executed")
    result = run_notebook(notebook, output=executed / notebook.name, parameters={"CHECK_FRAMEWORKS": False})
    assert result.ok, result.error
    out = tmp_path_factory.mktemp("site") / "public"
    site.build_site(out, [notebook], executed=executed)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory):
    """Chromium with the network off: no host name resolves and every non-loopback request goes to a dead proxy."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-offline"), "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                            "--proxy-server=http://127.0.0.1:9", log_requests=True)
    yield driver
    driver.quit()


def requests_made(driver, site: str) -> tuple[list[str], list[str]]:
    """Every address that pages of ``site`` asked for since the last call, and those that failed.

    From DevTools' network log; the browser's own pages (its new-tab page) are left out by their document.
    """
    import json

    asked, failed, addresses = [], [], {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if not message.get("params", {}).get("documentURL", site).startswith(site):
            continue
        if message["method"] == "Network.requestWillBeSent":
            addresses[message["params"]["requestId"]] = message["params"]["request"]["url"]
            asked.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.responseReceived" and message["params"]["response"]["status"] >= 400:
            failed.append(f"{message['params']['response']['status']} {message['params']['response']['url']}")
        elif message["method"] == "Network.loadingFailed":
            address = addresses.get(message["params"]["requestId"])  # None: not a request of the site's pages
            if address is not None and not address.startswith("about:"):
                failed.append(f"{message['params']['errorText']} {address}")
    return asked, failed


TYPESET = ("if (!window.MathJax || !MathJax.Hub) return false;"
           "if (window.medcourseTypeset === undefined) { window.medcourseTypeset = false;"
           " MathJax.Hub.Queue(function () { window.medcourseTypeset = true; }); }"
           "return window.medcourseTypeset;")
FIGURE = """
const image = Array.from(document.querySelectorAll('.jp-OutputArea-output img'))
  .find(img => img.complete && img.naturalWidth > 100 && !img.src.endsWith('.svg'));
if (!image) return null;
image.scrollIntoView({block: 'center'});
const box = image.getBoundingClientRect();
return {width: box.width, height: box.height, top: box.top, bottom: box.bottom, inViewport:
        box.top >= 0 && box.bottom <= window.innerHeight && box.width > 100 && box.height > 100};
"""


def test_the_lecture_site_typesets_math_shows_figures_and_searches_with_the_network_off(lecture_site, offline_browser):
    from selenium.webdriver.common.by import By

    driver, base = offline_browser, lecture_site
    artifacts = ROOT / "artifacts" / "site"
    artifacts.mkdir(parents=True, exist_ok=True)
    requests_made(driver, base)  # forget what the browser loaded before the page
    driver.get(f"{base}/00_welcome.html")
    wait_for(driver, TYPESET, 60, "MathJax did not finish typesetting the page")
    display = driver.find_elements(By.CSS_SELECTOR, ".MathJax_Display")
    assert display, "no displayed formula was typeset"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", display[0])
    driver.save_screenshot(str(artifacts / "00_welcome_math.png"))
    assert display[0].size["width"] > 50 and display[0].size["height"] > 10
    assert driver.find_elements(By.CSS_SELECTOR, ".MathJax_Error, .merror") == []
    prose = driver.execute_script("return Array.from(document.querySelectorAll('.jp-RenderedMarkdown'))"
                                  ".map(e => e.innerText).join(' ')")
    assert "$$" not in prose and "\\frac" not in prose, "some TeX was left as text"

    figure = wait_for(driver, f"return (function() {{ {FIGURE} }})()", 20, "no figure image loaded")
    assert figure["inViewport"], figure
    driver.save_screenshot(str(artifacts / "00_welcome_figure.png"))

    search = driver.find_element(By.ID, "medcourse-search")
    search.send_keys("Hounsfield")
    results = wait_for(driver, "return Array.from(document.querySelectorAll('#medcourse-results a'))"
                               ".map(a => a.getAttribute('href'))", 10, "the search box found nothing")
    assert all(href.startswith("00_welcome.html#") for href in results), results
    driver.save_screenshot(str(artifacts / "00_welcome_search.png"))

    asked, failed = requests_made(driver, base)
    elsewhere = [url for url in asked if not url.startswith((base, "data:", "about:", "blob:"))]
    assert elsewhere == [], f"the page asked for addresses off the site: {elsewhere}"
    assert failed == [], f"requests that failed: {failed}"
    assert any(url.startswith(f"{base}/assets/mathjax/") for url in asked)
