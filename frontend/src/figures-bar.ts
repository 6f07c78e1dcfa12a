/** `<ottoengine-figures-bar>`: the farm's figures today and the processing pause/resume toggle. */

import { LitElement, css, html, nothing } from "lit";
import { property } from "lit/decorators.js";

import { requestAction } from "./action-event.js";
import type { Figures, Processing } from "./farm.js";
import { defineOnce, icon } from "./ha-elements.js";
import type { Formatter, Localize } from "./localize.js";
import { sharedStyles } from "./styles.js";

export class OttoFiguresBar extends LitElement {
  @property({ attribute: false }) figures!: Figures;
  @property({ attribute: false }) processing!: Processing;
  @property({ attribute: false }) localize!: Localize;
  @property({ attribute: false }) format!: Formatter;
  @property({ type: Boolean }) admin = false;
  /** A hub entry is loaded (else nothing is processed and the toggle is hidden). */
  @property({ type: Boolean }) loaded = true;

  protected override render() {
    const f = this.figures;
    const t = this.localize;
    const n = this.format;
    const enabled = this.processing.enabled;
    const figure = (value: string, label: string) => html`<div class="figure"><span class="value">${value}</span><span class="label">${label}</span></div>`;
    return html`<div class="bar" data-testid="figures">
      ${figure(n.number(f.jobs_today), t("figures.jobs_today"))}
      ${figure(f.success_rate === null || f.success_rate === undefined ? "—" : `${n.number(f.success_rate)} %`, t("figures.success_rate"))}
      ${figure(n.number(f.print_hours_today, 1), t("figures.print_hours_today"))}
      ${figure(n.number(f.print_hours_total, 0), t("figures.print_hours_total"))}
      ${figure(n.number(f.queued), t("figures.queued"))}
      ${figure(n.number(f.active), t("figures.active"))}
      ${this.loaded ? this.renderProcessing(enabled) : nothing}
    </div>`;
  }

  private renderProcessing(enabled: boolean) {
    const t = this.localize;
    return html`
      <div class="processing">
        <span class="chip ${enabled ? "state-ok" : "state-warn"}">${t(enabled ? "processing.running" : "processing.paused")}</span>
        ${this.admin
          ? html`<button
              class="button ${enabled ? "" : "primary"}"
              data-testid="processing-toggle"
              aria-pressed=${enabled ? "false" : "true"}
              @click=${() => requestAction(this, enabled ? "pause_processing" : "resume_processing")}
            >${icon(enabled ? "mdi:pause" : "mdi:play")}${t(enabled ? "processing.pause" : "processing.resume")}</button>`
          : nothing}
      </div>`;
  }

  static override styles = [
    sharedStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 24px;
        padding: 12px 16px;
        background: var(--ha-card-background, var(--card-background-color));
        border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color));
        border-radius: var(--otto-radius);
      }
      .figure {
        display: flex;
        flex-direction: column;
        min-width: 64px;
      }
      .value {
        font-size: 1.4em;
        font-weight: 500;
        font-variant-numeric: tabular-nums;
      }
      .label {
        font-size: 0.8em;
        color: var(--secondary-text-color);
      }
      .processing {
        margin-left: auto;
        display: flex;
        align-items: center;
        gap: 12px;
      }
      @media (max-width: 600px) {
        .bar {
          display: grid;
          grid-template-columns: repeat(3, 1fr);
        }
        .processing {
          grid-column: 1 / -1;
          margin-left: 0;
          justify-content: space-between;
        }
      }
    `,
  ];
}

defineOnce("ottoengine-figures-bar", OttoFiguresBar);
