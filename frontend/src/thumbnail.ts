/**
 * `<ottoengine-thumbnail>`: a print item's thumbnail, fetched once per print item with the
 * user's token (`hass.fetchWithAuth`) and shown from a blob URL; a placeholder icon without one.
 */

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";

import { defineOnce, icon } from "./ha-elements.js";
import type { Hass } from "./hass.js";

export const THUMBNAIL_PATH = "/api/ottoengine/panel/thumbnails/";

/** print item id → its blob URL (null: it has none); shared by every card of the page. */
const cache = new Map<number, Promise<string | null>>();

export function thumbnailUrl(hass: Hass, printItemId: number): Promise<string | null> {
  let url = cache.get(printItemId);
  if (!url) {
    url = hass
      .fetchWithAuth(`${THUMBNAIL_PATH}${printItemId}`)
      .then(async (response) => (response.ok ? URL.createObjectURL(await response.blob()) : null))
      .catch(() => {
        cache.delete(printItemId); // a failed fetch (offline) is tried again next time
        return null;
      });
    cache.set(printItemId, url);
  }
  return url;
}

export class OttoThumbnail extends LitElement {
  @property({ attribute: false }) hass?: Hass;
  @property({ type: Number, attribute: "print-item-id" }) printItemId: number | null = null;
  @property() label = "";
  @state() private src: string | null = null;
  private loadedFor: number | null = null;

  protected override willUpdate(): void {
    const id = this.printItemId;
    if (!this.hass || id === null || id === undefined || id === this.loadedFor) return;
    this.loadedFor = id;
    this.src = null;
    void thumbnailUrl(this.hass, id).then((url) => {
      if (this.loadedFor === id) this.src = url;
    });
  }

  protected override render() {
    if (this.src) return html`<img src=${this.src} alt=${this.label} loading="lazy" />`;
    return html`<div class="placeholder" role="img" aria-label=${this.label || nothing}>
      ${icon("mdi:cube-outline")}
    </div>`;
  }

  static override styles = css`
    :host {
      display: block;
      width: var(--otto-thumbnail-size, 56px);
      height: var(--otto-thumbnail-size, 56px);
      flex: none;
      border-radius: 8px;
      overflow: hidden;
      background: var(--secondary-background-color, rgba(127, 127, 127, 0.12));
    }
    img {
      width: 100%;
      height: 100%;
      object-fit: contain;
      display: block;
    }
    .placeholder {
      width: 100%;
      height: 100%;
      display: flex;
      align-items: center;
      justify-content: center;
      color: var(--secondary-text-color);
      --mdc-icon-size: calc(var(--otto-thumbnail-size, 56px) * 0.5);
    }
  `;
}

defineOnce("ottoengine-thumbnail", OttoThumbnail);
