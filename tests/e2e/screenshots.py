"""`scripts/screenshots`: the farm panel's pictures in docs/screenshots, from a real hass.

Starts `python -m devstack` with the simulated farm (as the browser tests do), gets both printers
printing with more jobs queued behind them, logs in through Home Assistant's login page in
Debian's headless Chromium and saves ``panel-{desktop,phone}-{light,dark}.png``. Dark is the
browser's ``prefers-color-scheme: dark``, which Home Assistant's default theme follows.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys
import tempfile

from playwright.sync_api import Page

from .browser import REPO, BrowserThread, FarmStack, login, open_panel, wait_for

PRINT_S = 3600  # one simulated hour: a minute of real time, long enough to be mid-print
LAYOUTS = {
    "desktop": {"viewport": {"width": 1440, "height": 1000}, "is_mobile": False},
    "phone": {"viewport": {"width": 390, "height": 1400}, "is_mobile": True},
}
SCHEMES = ("light", "dark")
SETTLE_MS = 1500  # thumbnails (blob URLs) and progress bars finish drawing


def farm_mid_print(hub: FarmStack) -> None:
    """Both printers printing, two jobs waiting behind them."""
    printing = [hub.queue(f"{name}.gcode.3mf", PRINT_S) for name in ("bracket", "gear-housing")]
    for name in ("cable-clip", "lid"):
        hub.queue(f"{name}.gcode.3mf", PRINT_S // 2)
    for job_id in printing:
        wait_for(
            lambda job_id=job_id: hub.job(job_id),
            lambda job: job["status"] == "PRINTING" and (job["progress_percent"] or 0) >= 3,
            180,
            f"job {job_id} printing",
        )


def shoot(page: Page, target: Path) -> None:
    open_panel(page)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(target))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ottoengine-screenshots-") as work:
        hub = FarmStack(Path(work))
        try:
            farm_mid_print(hub)
            ui = BrowserThread()
            try:
                for layout, options in LAYOUTS.items():
                    for scheme in SCHEMES:
                        target = args.out / f"panel-{layout}-{scheme}.png"
                        page = ui.run(
                            lambda options=options, scheme=scheme: login(
                                ui.browser,
                                hub.base_url,
                                *hub.login("login"),
                                color_scheme=scheme,
                                **options,
                            )
                        )
                        try:
                            ui.run(shoot, page, target)
                        finally:
                            ui.run(page.context.close)
                        print(target.relative_to(REPO) if target.is_relative_to(REPO) else target)
            finally:
                ui.close()
        finally:
            hub.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
