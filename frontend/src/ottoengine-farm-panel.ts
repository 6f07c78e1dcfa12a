/**
 * `<ottoengine-farm-panel>`: the "Print farm" sidebar panel. HA gives it `hass`, `narrow`,
 * `route` and `panel`; it subscribes to `ottoengine/panel/subscribe` while on the page and
 * runs the operator's actions with `ottoengine/panel/action` (admin users only).
 */

import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";

import { ACTION_EVENT, type ActionRequest } from "./action-event.js";
import { sortedItems, type Farm } from "./farm.js";
import { FarmStore } from "./farm-store.js";
import { defineOnce, icon, menuButton } from "./ha-elements.js";
import { errorMessage, type Hass, type PanelInfo } from "./hass.js";
import { ENGLISH, Formatter, loadStrings, makeLocalize, type Localize, type Strings } from "./localize.js";
import { sharedStyles } from "./styles.js";
import "./figures-bar.js";
import "./job-queue.js";
import "./ottoeject-card.js";
import "./printer-card.js";
import "./rack-column.js";
import "./upload-dialog.js";

export const ACTION_TYPE = "ottoengine/panel/action";
const TOAST_MS = 8000;

export class OttoFarmPanel extends LitElement {
  @property({ attribute: false }) hass!: Hass;
  @property({ type: Boolean }) narrow = false;
  @property({ attribute: false }) route?: unknown;
  @property({ attribute: false }) panel?: PanelInfo;
  @state() private strings: Strings = ENGLISH;
  @state() private toast: { text: string; error: boolean } | null = null;
  @state() private revision = 0;
  private stringsLanguage?: string;
  private toastTimer?: number;
  private readonly store = new FarmStore(() => this.revision++);
  private localize: Localize = makeLocalize(ENGLISH);
  private format?: Formatter;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener(ACTION_EVENT, this.onAction as EventListener);
    if (this.hass) this.store.connect(this.hass);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener(ACTION_EVENT, this.onAction as EventListener);
    this.store.disconnect();
    window.clearTimeout(this.toastTimer);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass) {
      if (this.isConnected) this.store.connect(this.hass);
      const language = this.hass.locale?.language || this.hass.language || "en";
      if (language !== this.stringsLanguage) {
        this.stringsLanguage = language;
        void loadStrings(this.hass, language).then((strings) => {
          if (this.stringsLanguage === language) this.strings = strings;
        });
      }
    }
    if (changed.has("strings")) this.localize = makeLocalize(this.strings);
    if (changed.has("hass") || changed.has("strings")) this.format = new Formatter(this.hass, this.localize);
  }

  private get admin(): boolean {
    const farm = this.store.farm;
    return Boolean(farm ? farm.is_admin : this.hass?.user?.is_admin);
  }

  /** Runs an action; shows the server's message when it fails. True when it succeeded. */
  runAction = async (action: string, data: Record<string, unknown>): Promise<boolean> => {
    try {
      await this.hass.callWS({ type: ACTION_TYPE, action, data });
      return true;
    } catch (err) {
      this.showToast(this.localize("error.action_failed", { message: errorMessage(err) }), true);
      return false;
    }
  };

  private onAction = (event: CustomEvent<ActionRequest>): void => {
    event.stopPropagation();
    void this.runAction(event.detail.action, event.detail.data);
  };

  private showToast(text: string, error: boolean): void {
    this.toast = { text, error };
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => (this.toast = null), TOAST_MS);
  }

  protected override render() {
    if (!this.hass || !this.format) return nothing;
    const t = this.localize;
    const farm = this.store.farm;
    return html`
      <div class="toolbar">
        ${this.narrow ? menuButton(this.hass, this.narrow) : nothing}
        <div class="main-title">${this.panel?.title || t("title")}</div>
        ${this.store.disconnected
          ? html`<span class="chip state-warn">${icon("mdi:lan-disconnect")}${t("connection.lost")}</span>`
          : nothing}
      </div>
      <div class="content">
        ${this.store.error
          ? html`<div class="notice error" role="alert">${t("error.subscribe_failed", { message: this.store.error })}</div>`
          : !farm
            ? html`<div class="notice">${t("loading")}</div>`
            : this.renderFarm(farm)}
      </div>
      ${this.toast
        ? html`<div class="toast ${this.toast.error ? "error" : ""}" role="alert">
            <span>${this.toast.text}</span>
            <button class="icon-button" aria-label=${t("close")} @click=${() => (this.toast = null)}>${icon("mdi:close")}</button>
          </div>`
        : nothing}
    `;
  }

  private renderFarm(farm: Farm) {
    const t = this.localize;
    const admin = this.admin;
    const printers = sortedItems(farm.printers);
    const ottoejects = sortedItems(farm.ottoejects);
    const racks = sortedItems(farm.racks);
    return html`
      ${farm.loaded ? nothing : html`<div class="notice">${t("not_loaded")}</div>`}
      <ottoengine-figures-bar
        .figures=${farm.figures}
        .processing=${farm.processing}
        .localize=${t}
        .format=${this.format}
        ?admin=${admin}
        ?loaded=${farm.loaded}
      ></ottoengine-figures-bar>
      <div class="layout">
        <div class="devices">
          <section>
            <h3>${t("section.printers")}</h3>
            ${printers.length
              ? html`<div class="grid">
                  ${printers.map(
                    (printer) => html`<ottoengine-printer-card
                      .hass=${this.hass}
                      .printer=${printer}
                      .localize=${t}
                      .format=${this.format}
                      ?admin=${admin}
                    ></ottoengine-printer-card>`,
                  )}
                </div>`
              : html`<div class="empty">${t("empty.printers")}</div>`}
          </section>
          ${ottoejects.length
            ? html`<section>
                <h3>${t("section.ottoejects")}</h3>
                <div class="grid">
                  ${ottoejects.map(
                    (ottoeject) => html`<ottoengine-ottoeject-card .ottoeject=${ottoeject} .localize=${t}></ottoengine-ottoeject-card>`,
                  )}
                </div>
              </section>`
            : nothing}
          <section class="queue-section">
            <h3>${t("section.queue")}</h3>
            <div class="panel-card">
              ${admin
                ? html`<ottoengine-upload-dialog
                    .hass=${this.hass}
                    .localize=${t}
                    .format=${this.format}
                    .runAction=${this.runAction}
                  ></ottoengine-upload-dialog>`
                : nothing}
              <ottoengine-job-queue
                .hass=${this.hass}
                .queue=${farm.queue}
                .localize=${t}
                .format=${this.format}
                ?admin=${admin}
              ></ottoengine-job-queue>
            </div>
          </section>
        </div>
        ${racks.length
          ? html`<section class="racks">
              <h3>${t("section.racks")}</h3>
              <div class="rack-list">
                ${racks.map((rack) => html`<ottoengine-rack-column .hass=${this.hass} .rack=${rack} .localize=${t}></ottoengine-rack-column>`)}
              </div>
            </section>`
          : nothing}
      </div>
    `;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color);
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        box-sizing: border-box;
        background: var(--app-header-background-color, var(--primary-background-color));
        color: var(--app-header-text-color, var(--primary-text-color));
        border-bottom: var(--app-header-border-bottom, 1px solid var(--divider-color));
        position: sticky;
        top: 0;
        z-index: 2;
      }
      .main-title {
        flex: 1;
        font-size: 20px;
        font-weight: 400;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .content {
        padding: 16px;
        max-width: 1600px;
        margin: 0 auto;
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(260px, 340px);
        gap: 16px;
        align-items: start;
      }
      .devices {
        display: flex;
        flex-direction: column;
        gap: 16px;
        min-width: 0;
      }
      section h3 {
        margin: 4px 0 8px;
        font-size: 0.95em;
        font-weight: 500;
        color: var(--secondary-text-color);
        text-transform: uppercase;
        letter-spacing: 0.04em;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
        gap: 12px;
      }
      .panel-card {
        background: var(--ha-card-background, var(--card-background-color));
        border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color));
        border-radius: var(--otto-radius);
        padding: 16px;
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .rack-list {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .notice {
        padding: 16px;
        border-radius: var(--otto-radius);
        background: var(--card-background-color);
        color: var(--secondary-text-color);
      }
      .notice.error {
        color: var(--error-color);
      }
      .toast {
        position: fixed;
        left: 50%;
        bottom: 24px;
        transform: translateX(-50%);
        max-width: min(560px, calc(100vw - 32px));
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 6px 6px 6px 16px;
        border-radius: 8px;
        background: var(--primary-text-color);
        color: var(--primary-background-color);
        box-shadow: 0 4px 16px rgba(0, 0, 0, 0.3);
        z-index: 10;
      }
      .toast.error {
        background: var(--error-color);
        color: var(--text-primary-color, #fff);
      }
      .toast .icon-button {
        color: inherit;
      }
      @media (max-width: 1100px) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
        }
        .rack-list {
          display: grid;
          grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
        }
      }
      @media (max-width: 600px) {
        .content {
          padding: 8px;
          gap: 12px;
        }
        .grid {
          grid-template-columns: minmax(0, 1fr);
        }
        .panel-card {
          padding: 12px;
        }
      }
    `,
  ];
}

defineOnce("ottoengine-farm-panel", OttoFarmPanel);
