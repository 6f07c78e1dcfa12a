/**
 * Home Assistant's own elements where the running frontend defines them (`ha-card`, `ha-icon`,
 * `ha-menu-button`), with a plain fallback that looks the same otherwise (e.g. the dev harness).
 */

import {
  mdiAlertCircle,
  mdiCheckCircle,
  mdiChevronDown,
  mdiChevronUp,
  mdiClockOutline,
  mdiClose,
  mdiCubeOutline,
  mdiDragVertical,
  mdiFileUpload,
  mdiLanDisconnect,
  mdiLayers,
  mdiMenu,
  mdiPause,
  mdiPlay,
  mdiPrinter3d,
  mdiPrinter3dNozzle,
  mdiRadiator,
  mdiReplay,
  mdiRobotIndustrial,
  mdiThermometer,
  mdiTray,
  mdiTrayFull,
} from "@mdi/js";
import { html, svg, type TemplateResult } from "lit";

import type { Hass } from "./hass.js";

/** The icons the panel uses: their MDI name (for `ha-icon`) → SVG path (the fallback). */
const ICONS: Record<string, string> = {
  "mdi:alert-circle": mdiAlertCircle,
  "mdi:check-circle": mdiCheckCircle,
  "mdi:chevron-down": mdiChevronDown,
  "mdi:chevron-up": mdiChevronUp,
  "mdi:clock-outline": mdiClockOutline,
  "mdi:close": mdiClose,
  "mdi:cube-outline": mdiCubeOutline,
  "mdi:drag-vertical": mdiDragVertical,
  "mdi:file-upload": mdiFileUpload,
  "mdi:lan-disconnect": mdiLanDisconnect,
  "mdi:layers": mdiLayers,
  "mdi:menu": mdiMenu,
  "mdi:pause": mdiPause,
  "mdi:play": mdiPlay,
  "mdi:printer-3d": mdiPrinter3d,
  "mdi:printer-3d-nozzle": mdiPrinter3dNozzle,
  "mdi:radiator": mdiRadiator,
  "mdi:replay": mdiReplay,
  "mdi:robot-industrial": mdiRobotIndustrial,
  "mdi:thermometer": mdiThermometer,
  "mdi:tray": mdiTray,
  "mdi:tray-full": mdiTrayFull,
};

export function isDefined(tag: string): boolean {
  return customElements.get(tag) !== undefined;
}

/** Defines a custom element unless the page has it already (the module loaded twice). */
export function defineOnce(tag: string, element: CustomElementConstructor): void {
  if (!isDefined(tag)) customElements.define(tag, element);
}

/**
 * An MDI icon: always the bundled SVG path in `ha-svg-icon` when HA defines it, an inline SVG
 * otherwise (both size with `--mdc-icon-size`). `ha-icon` (which loads the icon database
 * lazily) is used for names the bundle does not hold.
 */
export function icon(name: string): TemplateResult {
  const path = ICONS[name];
  if (path === undefined) return html`<ha-icon icon=${name}></ha-icon>`;
  if (isDefined("ha-svg-icon")) return html`<ha-svg-icon .path=${path}></ha-svg-icon>`;
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" width="24" height="24">
    ${svg`<path fill="currentColor" d=${path}></path>`}
  </svg>`;
}

/** A card: `ha-card` when defined, else a div styled like one (class `card` on both). */
export function card(content: unknown, testid: string, extraClass = ""): TemplateResult {
  if (isDefined("ha-card")) {
    return html`<ha-card class="card ${extraClass}" data-testid=${testid}>${content}</ha-card>`;
  }
  return html`<div class="card fallback ${extraClass}" data-testid=${testid}>${content}</div>`;
}

/** The sidebar toggle for narrow screens: `ha-menu-button`, or a button sending its event. */
export function menuButton(hass: Hass, narrow: boolean): TemplateResult {
  if (isDefined("ha-menu-button")) {
    return html`<ha-menu-button .hass=${hass} .narrow=${narrow}></ha-menu-button>`;
  }
  const toggle = (event: Event) =>
    event.target?.dispatchEvent(new Event("hass-toggle-menu", { bubbles: true, composed: true }));
  return html`<button class="icon-button menu" @click=${toggle} aria-label="Menu">
    ${icon("mdi:menu")}
  </button>`;
}
