"""A real browser on a real Home Assistant: Playwright driving Debian's Chromium.

Used by the farm panel's browser tests (``test_panel_browser.py``) and by `scripts/screenshots`.
``FarmStack`` is one `python -m devstack` run (hass onboarded, the simulated farm in the hub)
with the REST calls the tests make; ``launch`` starts the system's Chromium (Playwright never
downloads a browser of its own) and ``login`` signs in through Home Assistant's own login page,
as a person does.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import io
import json
import os
from pathlib import Path
import shutil
import time
from typing import Any, TypeVar
import urllib.request
import uuid
import zipfile

from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from ..farm_fixtures import FarmHandle
from .stack import REPO, request, start, stop

CHROMIUM = "/usr/bin/chromium"  # Debian's package (OTTO_ROOT_PACKAGES in scripts/lib/env.sh)
PANEL_PATH = "ottoengine-farm"  # the panel's URL path (docs/panel.md)
PANEL_TAG = "ottoengine-farm-panel"
PANEL_TITLE = "Print farm"
PANEL_BUNDLE = REPO / "custom_components" / "ottoengine" / "frontend" / "ottoengine-panel.js"
# How long the UI may take to show something after the server has it: the panel coalesces its
# changes to about four events a second, Home Assistant's frontend loads its chunks on first use.
UI_TIMEOUT_S = 30.0
expect.set_options(timeout=UI_TIMEOUT_S * 1000)
# The farm in the browser tests and the screenshots: two printers, one OttoEject, a rack of
# eight shelves (1-4 free, 5-8 with empty plates: six prints before it runs out of plates).
TIME_SCALE = 60.0  # simulated seconds per real second
FARM_OPTIONS = ("--printers", "2", "--ejectors", "1", "--shelves", "8")
FARM_OPTIONS += ("--time-scale", f"{TIME_SCALE:g}")
P1_FAMILY = "C12"  # printer_model_id of a P1S file: both simulated printers (P1S, P1P) take it

T = TypeVar("T")


def chromium_path() -> str:
    """Debian's Chromium: the one browser the tests use (never one Playwright downloads)."""
    found = shutil.which("chromium") or CHROMIUM
    if not Path(found).exists():
        raise RuntimeError(
            "Debian's chromium is not installed: run scripts/setup (OTTO_ROOT_PACKAGES)"
        )
    return found


def launch(driver: Playwright) -> Browser:
    """Headless Chromium; ``--no-sandbox``: the toolchain root runs everything as root."""
    return driver.chromium.launch(
        executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
    )


class BrowserThread:
    """Chromium driven from a thread of its own.

    Playwright's sync API keeps its event loop marked as running in the thread that uses it,
    and pytest-asyncio (Home Assistant's test plugin) runs a loop per test in the main thread:
    the browser lives in this thread instead, and each test hands it what to do with ``run``.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="playwright")
        os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
        self._driver = self.run(lambda: sync_playwright().start())
        self.browser = self.run(lambda: launch(self._driver))

    def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(*args)`` in the browser's thread; its exception is raised here."""
        return self._executor.submit(work, *args).result()

    def close(self) -> None:
        try:
            self.run(self.browser.close)
            self.run(self._driver.stop)
        finally:
            self._executor.shutdown()


def login(
    browser: Browser,
    base_url: str,
    username: str,
    password: str,
    *,
    color_scheme: str = "light",
    viewport: dict[str, int] | None = None,
    is_mobile: bool = False,
) -> Page:
    """A new browser context signed in through Home Assistant's login page; returns its page,
    with Home Assistant's UI loaded (the sidebar, or its menu button at phone width, shown)."""
    context = browser.new_context(
        base_url=base_url,
        color_scheme=color_scheme,  # type: ignore[arg-type]
        viewport=viewport or {"width": 1280, "height": 800},
        is_mobile=is_mobile,
        has_touch=is_mobile,
    )
    context.set_default_timeout(UI_TIMEOUT_S * 1000)
    page = context.new_page()
    page.goto("/")
    page.wait_for_url("**/auth/authorize**")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Log in").click()
    # The login page hands the browser back with an auth code; the UI then loads.
    page.wait_for_url(lambda url: "/auth/" not in url and "auth_callback" not in url)
    page.locator("home-assistant-main").wait_for(state="attached")
    return page


def sidebar_item(page: Page, url_path: str) -> Locator:
    """The sidebar entry of a panel (Home Assistant names it ``sidebar-panel-<url path>``)."""
    return page.locator(f"ha-sidebar #sidebar-panel-{url_path}")


def open_panel(page: Page) -> Locator:
    """Go to the farm panel; returns its element once it has drawn the farm."""
    page.goto(f"/{PANEL_PATH}")
    panel = page.locator(PANEL_TAG)
    panel.locator("[data-testid=figures]").wait_for()
    return panel


def wait_for(
    read: Callable[[], Any], condition: Callable[[Any], bool], timeout: float, what: str
) -> Any:
    """Poll ``read`` until ``condition`` holds; fails naming ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if condition(value):
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {value!r}"
        time.sleep(0.25)


def print_file(
    seconds: int, *, label: str = "", height_mm: float = 20.0, padding: int = 0
) -> bytes:
    """A sliced ``.gcode.3mf`` as Bambu Studio exports it, printing ``seconds`` (simulated) on
    either printer; ``label`` makes its content unique (the hub keeps one print item per
    content, under the first upload's name); ``padding`` bytes of incompressible thumbnail data make it that much bigger
    (an upload that takes a while)."""
    gcode = (
        "; HEADER_BLOCK_START\n; BambuStudio 02.00.00.00\n"
        f"; model printing time: {seconds // 60}m 0s; total estimated time: "
        f"{seconds // 60}m {seconds % 60}s\n"
        f"; total layer number: 20\n; max_z_height: {height_mm:.2f}\n; HEADER_BLOCK_END\n"
        f"; {label}\nG28\nG1 Z0.2 F600\nM73 P0 R1\n"
    )
    slice_info = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<config>\n  <header>\n'
        '    <header_item key="X-BBL-Client-Type" value="slicer"/>\n  </header>\n'
        '  <plate>\n    <metadata key="index" value="1"/>\n'
        f'    <metadata key="printer_model_id" value="{P1_FAMILY}"/>\n'
        f'    <metadata key="prediction" value="{seconds}"/>\n'
        '    <metadata key="weight" value="3.2"/>\n  </plate>\n</config>\n'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("3D/3dmodel.model", "<model/>")
        archive.writestr("Metadata/plate_1.gcode", gcode)
        archive.writestr("Metadata/slice_info.config", slice_info)
        if padding:
            archive.writestr(
                "Metadata/plate_1.png", os.urandom(padding), compress_type=zipfile.ZIP_STORED
            )
    return buffer.getvalue()


class FarmStack:
    """One `python -m devstack` run (Home Assistant and the simulated farm) in ``work``."""

    def __init__(self, work: Path, *options: str) -> None:
        self.process, self.stack = start(work, *(options or FARM_OPTIONS))
        self.base_url: str = self.stack["base_url"]
        self.farm = FarmHandle(self.stack["farm"], work / "develop.log")

    def close(self) -> None:
        stop(self.process)

    def login(self, who: str = "login") -> tuple[str, str]:
        """(username, password) of the admin (``login``) or the viewer (``viewer_login``)."""
        account = self.stack[who]
        return account["username"], account["password"]

    def call(self, method: str, path: str, body: Any = None, *, admin: bool = True) -> Any:
        """A REST call as the admin (or the viewer); fails on an error status."""
        token = self.stack["admin_token" if admin else "user_token"]
        status, answer = request(self.base_url + path, token=token, method=method, body=body)
        assert 200 <= status < 300, f"{method} {path}: {status} {answer}"
        return answer

    def upload(self, name: str, data: bytes) -> int:
        """``POST /api/print-jobs/upload``; returns the print item's id."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
                "\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        prepared = urllib.request.Request(
            self.base_url + "/api/print-jobs/upload", data=body, method="POST"
        )
        prepared.add_header("Authorization", f"Bearer {self.stack['admin_token']}")
        prepared.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        with urllib.request.urlopen(prepared, timeout=60) as response:
            return int(json.loads(response.read())["print_item_id"])

    def queue(self, name: str, seconds: int, **job: Any) -> int:
        """Upload a print of ``seconds`` and queue it (auto start); returns the job's id."""
        item = self.upload(name, print_file(seconds, label=name))
        created = self.call(
            "POST", "/api/print-jobs/", {"print_item_id": item, "auto_start": True, **job}
        )
        return int(created["id"])

    def job(self, job_id: int) -> dict[str, Any]:
        return dict(self.call("GET", f"/api/print-jobs/{job_id}"))

    def processing(self, *, enabled: bool) -> None:
        """Job processing on or off, as the hub's *Job processing* switch does."""
        self.call(
            "POST",
            f"/api/services/ottoengine/{'resume' if enabled else 'pause'}_processing",
            {},
        )

    def printers(self) -> dict[str, int]:
        """The hub's printers: name → id."""
        return {p["name"]: int(p["id"]) for p in self.call("GET", "/api/printers")}
