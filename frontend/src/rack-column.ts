/**
 * `<ottoengine-rack-column>`: a rack drawn to scale as a column of shelves (shelf 1 at the
 * bottom; each shelf's height is the rack's shelf spacing), each with no plate, an empty plate
 * or a print (job name and thumbnail); shelves reserved for a store or a grab are marked.
 */

import { LitElement, css, html, nothing } from "lit";
import { property } from "lit/decorators.js";

import type { Rack, Shelf } from "./farm.js";
import { card, defineOnce, icon } from "./ha-elements.js";
import type { Hass } from "./hass.js";
import type { Localize } from "./localize.js";
import { sharedStyles } from "./styles.js";
import "./thumbnail.js";

/** Pixels per millimetre of shelf spacing (a 60 mm shelf is 60 px high), within bounds. */
export function shelfHeightPx(spacingMm: number): number {
  return Math.round(Math.max(36, Math.min(120, spacingMm)));
}

export class OttoRackColumn extends LitElement {
  @property({ attribute: false }) hass!: Hass;
  @property({ attribute: false }) rack!: Rack;
  @property({ attribute: false }) localize!: Localize;

  protected override render() {
    const r = this.rack;
    const t = this.localize;
    const top = [...r.shelves].sort((a, b) => b.number - a.number);
    const used = r.shelves.filter((s) => s.state !== "empty").length;
    return card(
      html`
        <div class="otto-header">
          <div class="avatar">${icon("mdi:layers")}</div>
          <div class="title">
            <h2>${t("rack.title", { name: r.name })}</h2>
            <div class="secondary">${t("rack.summary", { used, total: r.shelves.length, spacing: r.shelf_spacing_mm })}</div>
          </div>
        </div>
        <div class="otto-content">
          <div class="rack" style="--shelf-height: ${shelfHeightPx(r.shelf_spacing_mm)}px">
            ${top.map((shelf) => this.renderShelf(r, shelf))}
          </div>
        </div>
      `,
      `rack-${r.id}`,
    );
  }

  private renderShelf(r: Rack, shelf: Shelf) {
    const t = this.localize;
    const reserved = shelf.reserved;
    return html`<div
      class="shelf ${shelf.state} ${reserved ? "reserved" : ""}"
      data-testid="shelf-${r.id}-${shelf.number}"
      title=${t(`shelf_state.${shelf.state}`)}
    >
      <span class="number">${shelf.number}</span>
      <div class="slot">
        ${shelf.state === "completed_print"
          ? html`<ottoengine-thumbnail .hass=${this.hass} .printItemId=${shelf.job?.print_item_id ?? null} .label=${shelf.job?.name ?? ""}></ottoengine-thumbnail>
              <span class="name">${shelf.job?.name ?? t("shelf_state.completed_print")}</span>`
          : html`<span class="name secondary">${t(`shelf_state.${shelf.state}`)}</span>`}
        ${reserved ? html`<span class="chip state-busy reserved-chip">${t(`shelf.reserved_${reserved.kind}`)}</span>` : nothing}
      </div>
    </div>`;
  }

  static override styles = [
    sharedStyles,
    css`
      .rack {
        border: 3px solid var(--divider-color);
        border-top-width: 6px;
        border-radius: 6px;
        padding: 0 6px;
        background: var(--primary-background-color);
      }
      .shelf {
        height: var(--shelf-height);
        box-sizing: border-box;
        display: flex;
        align-items: flex-end;
        gap: 8px;
        border-bottom: 4px solid var(--secondary-text-color);
        padding: 4px 2px 4px 0;
        --otto-thumbnail-size: calc(var(--shelf-height) - 16px);
      }
      .number {
        width: 1.6em;
        text-align: center;
        font-size: 0.75em;
        color: var(--secondary-text-color);
        align-self: center;
        flex: none;
      }
      .slot {
        flex: 1;
        min-width: 0;
        height: 100%;
        display: flex;
        align-items: center;
        gap: 8px;
        border-radius: 4px;
        padding: 0 8px;
        box-sizing: border-box;
      }
      .empty_plate .slot {
        height: 10px;
        align-self: flex-end;
        background: var(--secondary-text-color);
        opacity: 0.55;
      }
      .empty_plate .slot .name {
        display: none;
      }
      .completed_print .slot {
        background: color-mix(in srgb, var(--success-color, #43a047) 16%, transparent);
        border-bottom: 6px solid var(--success-color, #43a047);
      }
      .name {
        font-size: 0.85em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        flex: 1;
      }
      .reserved .slot {
        outline: 2px dashed var(--primary-color);
        outline-offset: -2px;
      }
      .reserved-chip {
        margin-left: auto;
      }
      .empty_plate.reserved .slot {
        height: 100%;
        opacity: 1;
        background: transparent;
        border-bottom: 10px solid color-mix(in srgb, var(--secondary-text-color) 55%, transparent);
      }
    `,
  ];
}

defineOnce("ottoengine-rack-column", OttoRackColumn);
