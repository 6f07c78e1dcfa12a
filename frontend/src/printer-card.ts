/** `<ottoengine-printer-card>`: one printer, its print, its workflow and what needs attention. */

import { LitElement, css, html, nothing } from "lit";
import { property } from "lit/decorators.js";

import { requestAction } from "./action-event.js";
import type { PanelAction, Printer } from "./farm.js";
import { card, defineOnce, icon } from "./ha-elements.js";
import type { Hass } from "./hass.js";
import type { Formatter, Localize } from "./localize.js";
import { sharedStyles, statusClass } from "./styles.js";
import "./thumbnail.js";

export class OttoPrinterCard extends LitElement {
  @property({ attribute: false }) hass!: Hass;
  @property({ attribute: false }) printer!: Printer;
  @property({ attribute: false }) localize!: Localize;
  @property({ attribute: false }) format!: Formatter;
  @property({ type: Boolean }) admin = false;

  protected override render() {
    const p = this.printer;
    const t = this.localize;
    const status = p.online ? p.status : "OFFLINE";
    const progress = Math.max(0, Math.min(100, Math.round(p.progress ?? 0)));
    const printing = p.job !== null || ["RUNNING", "PAUSED", "PREPARING"].includes(status);
    return card(
      html`
        <div class="otto-header">
          <div class="avatar ${statusClass(status, p.online)}">${icon("mdi:printer-3d")}</div>
          <div class="title">
            <h2>${p.name}</h2>
            <div class="secondary">${p.model ?? ""}</div>
          </div>
          <span class="chip ${statusClass(status, p.online)}">${t(`printer_status.${status}`)}</span>
        </div>
        <div class="otto-content">
          ${p.attention ? this.renderAttention(p) : nothing}
          <div class="job">
            ${p.job
              ? html`<ottoengine-thumbnail
                  .hass=${this.hass}
                  .printItemId=${p.job.print_item_id}
                  .label=${p.job.name}
                ></ottoengine-thumbnail>`
              : nothing}
            <div class="job-text">
              <div class="job-name">${p.job ? p.job.name : t("printer.no_job")}</div>
              <div class="secondary">${p.stage ?? ""}</div>
            </div>
          </div>
          ${printing
            ? html`<div class="progress-row">
                <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${progress}>
                  <div style="width: ${progress}%"></div>
                </div>
                <span class="percent"><span data-testid="progress-${p.id}">${progress}</span>&nbsp;%</span>
              </div>
              <div class="times secondary">
                ${p.remaining_minutes !== null && p.remaining_minutes !== undefined
                  ? html`<span>${icon("mdi:clock-outline")} ${t("printer.remaining", { time: this.format.duration(p.remaining_minutes) })}</span>`
                  : nothing}
                ${p.end_time ? html`<span>${t("printer.ends_at", { time: this.format.time(p.end_time) })}</span>` : nothing}
              </div>`
            : html`<span hidden data-testid="progress-${p.id}">${progress}</span>`}
          <div class="facts">
            <div class="fact">${icon("mdi:printer-3d-nozzle")}<span>${this.format.temperature(p.nozzle_temperature, p.nozzle_target)}</span><label>${t("printer.nozzle")}</label></div>
            <div class="fact">${icon("mdi:radiator")}<span>${this.format.temperature(p.bed_temperature, p.bed_target)}</span><label>${t("printer.bed")}</label></div>
            ${p.chamber_temperature !== null && p.chamber_temperature !== undefined
              ? html`<div class="fact">${icon("mdi:thermometer")}<span>${this.format.temperature(p.chamber_temperature, null)}</span><label>${t("printer.chamber")}</label></div>`
              : nothing}
            <div class="fact">${icon(p.plate_present ? "mdi:tray-full" : "mdi:tray")}<span>${t(p.plate_present === null || p.plate_present === undefined ? "printer.plate_unknown" : p.plate_present ? "printer.plate_present" : "printer.plate_absent")}</span><label>${t("printer.plate")}</label></div>
          </div>
          ${p.workflow
            ? html`<div class="workflow">
                <span class="chip ${statusClass(p.workflow.phase)}">${t(`phase.${p.workflow.phase}`)}</span>
                ${p.workflow.note ? html`<span class="secondary">${p.workflow.note}</span>` : nothing}
              </div>`
            : nothing}
        </div>
      `,
      `printer-card-${p.id}`,
    );
  }

  private renderAttention(p: Printer) {
    const attention = p.attention!;
    return html`<div class="attention" role="alert" data-testid="attention-${p.id}">
      <div class="reason">${icon("mdi:alert-circle")}<div><strong>${this.localize("printer.attention")}</strong><div>${attention.reason}</div></div></div>
      ${this.admin && attention.actions.length
        ? html`<div class="actions">${attention.actions.map((action) => this.renderAction(p, action))}</div>`
        : nothing}
    </div>`;
  }

  private renderAction(p: Printer, action: PanelAction) {
    const answer = action.action === "resume_workflow" ? String(action.data.answer ?? "") : "";
    const testid = answer ? `action-resume_workflow-${answer}-${p.id}` : `action-${action.action}-${p.id}`;
    const label = answer ? this.localize(`action.resume_workflow_${answer}`) : this.localize(`action.${action.action}`);
    return html`<button
      class="button ${answer === "abort" ? "danger" : "primary"}"
      data-testid=${testid}
      @click=${() => requestAction(this, action.action, action.data)}
    >${label}</button>`;
  }

  static override styles = [
    sharedStyles,
    css`
      .job {
        display: flex;
        align-items: center;
        gap: 12px;
        min-height: 56px;
      }
      .job-text {
        min-width: 0;
        flex: 1;
      }
      .job-name {
        font-weight: 500;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .progress-row {
        display: flex;
        align-items: center;
        gap: 12px;
        margin-top: 12px;
      }
      .progress-row .progress {
        flex: 1;
      }
      .percent {
        font-weight: 500;
        font-variant-numeric: tabular-nums;
        min-width: 3.5em;
        text-align: right;
      }
      .times {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        gap: 4px 12px;
        margin-top: 6px;
        --mdc-icon-size: 16px;
      }
      .facts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(96px, 1fr));
        gap: 8px;
        margin-top: 14px;
        padding-top: 12px;
        border-top: 1px solid var(--divider-color);
      }
      .fact {
        display: grid;
        grid-template-columns: auto 1fr;
        column-gap: 6px;
        align-items: center;
        font-size: 0.9em;
        --mdc-icon-size: 18px;
        color: var(--primary-text-color);
      }
      .fact > :first-child {
        grid-row: span 2;
        color: var(--secondary-text-color);
      }
      .fact label {
        color: var(--secondary-text-color);
        font-size: 0.8em;
      }
      .workflow {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 8px;
        margin-top: 12px;
      }
      .attention {
        border-radius: 8px;
        padding: 10px 12px;
        margin-bottom: 12px;
        background: color-mix(in srgb, var(--warning-color, #ffa600) 14%, transparent);
        border: 1px solid color-mix(in srgb, var(--warning-color, #ffa600) 50%, transparent);
      }
      .reason {
        display: flex;
        gap: 8px;
        align-items: flex-start;
        --mdc-icon-size: 20px;
      }
      .reason > :first-child {
        color: var(--warning-color, #ffa600);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        margin-top: 10px;
      }
    `,
  ];
}

defineOnce("ottoengine-printer-card", OttoPrinterCard);
