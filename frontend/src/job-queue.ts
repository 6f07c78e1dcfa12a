/**
 * `<ottoengine-job-queue>`: the queue in the orchestrator's order. Waiting rows are draggable
 * (HTML5 drag and drop; up/down buttons for touch and keyboard) and reorder with `move_job`;
 * priority is editable (`set_priority`); cancel and retry where the job allows it.
 */

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";

import { requestAction } from "./action-event.js";
import type { Job } from "./farm.js";
import { defineOnce, icon } from "./ha-elements.js";
import type { Hass } from "./hass.js";
import type { Formatter, Localize } from "./localize.js";
import { planMove, planStep, type MoveJob } from "./queue-order.js";
import { sharedStyles, statusClass } from "./styles.js";
import "./thumbnail.js";

export class OttoJobQueue extends LitElement {
  @property({ attribute: false }) hass!: Hass;
  @property({ attribute: false }) queue: Job[] = [];
  @property({ attribute: false }) localize!: Localize;
  @property({ attribute: false }) format!: Formatter;
  @property({ type: Boolean }) admin = false;
  @state() private dragging: number | null = null;
  @state() private dropIndex: number | null = null;

  private get waitingIds(): number[] {
    return this.queue.filter((job) => job.can_move).map((job) => job.id);
  }

  private move(moves: MoveJob[]): void {
    for (const move of moves) requestAction(this, "move_job", { ...move });
  }

  protected override render() {
    const t = this.localize;
    return html`<div class="queue" data-testid="queue" role="list">
      ${this.queue.length === 0 ? html`<div class="empty">${t("queue.empty")}</div>` : nothing}
      ${this.queue.map((job) => this.renderRow(job))}
      ${this.admin && this.dragging !== null
        ? html`<div
            class="drop-end ${this.dropIndex === this.waitingIds.length ? "over" : ""}"
            @dragover=${(e: DragEvent) => this.over(e, this.waitingIds.length)}
            @drop=${this.drop}
          ></div>`
        : nothing}
    </div>`;
  }

  private renderRow(job: Job) {
    const t = this.localize;
    const order = this.waitingIds;
    const index = order.indexOf(job.id);
    const movable = this.admin && job.can_move;
    const finished = ["COMPLETED", "FAILED", "CANCELLED"].includes(job.status);
    const over = this.dropIndex === index && this.dragging !== null && index >= 0;
    return html`<div
      class="row ${finished ? "finished" : ""} ${this.dragging === job.id ? "dragging" : ""} ${over ? "over" : ""}"
      role="listitem"
      data-testid="queue-row-${job.id}"
      draggable=${movable ? "true" : "false"}
      @dragstart=${(e: DragEvent) => this.start(e, job)}
      @dragend=${this.end}
      @dragover=${(e: DragEvent) => this.over(e, this.rowDropIndex(e, job, index))}
      @drop=${this.drop}
    >
      <span class="handle">${movable ? icon("mdi:drag-vertical") : nothing}</span>
      <ottoengine-thumbnail .hass=${this.hass} .printItemId=${job.print_item_id} .label=${job.name}></ottoengine-thumbnail>
      <div class="main">
        <div class="name">${job.name}</div>
        <div class="secondary details">
          <span class="chip ${statusClass(job.status)}">${t(`job_status.${job.status}`)}</span>
          ${job.printer_name ? html`<span>${job.printer_name}</span>` : nothing}
          ${job.estimated_minutes ? html`<span>${this.format.duration(job.estimated_minutes)}</span>` : nothing}
          ${job.status === "PRINTING" && job.progress !== null ? html`<span>${this.format.number(job.progress)} %</span>` : nothing}
          ${job.status_message ? html`<span class="message">${job.status_message}</span>` : nothing}
        </div>
      </div>
      <label class="priority">
        <span class="secondary">${t("queue.priority")}</span>
        ${this.admin && job.can_move
          ? html`<input
              type="number"
              min="1"
              .value=${String(job.priority)}
              data-testid="queue-priority-${job.id}"
              aria-label=${t("queue.priority")}
              @change=${(e: Event) => this.setPriority(job, e.target as HTMLInputElement)}
            />`
          : html`<span>${job.priority}</span>`}
      </label>
      ${this.admin
        ? html`<div class="buttons">
            ${job.can_move
              ? html`<button class="icon-button" title=${t("queue.move_up")} aria-label=${t("queue.move_up")} ?disabled=${index <= 0}
                    @click=${() => this.move(planStep(order, job.id, -1))}>${icon("mdi:chevron-up")}</button>
                  <button class="icon-button" title=${t("queue.move_down")} aria-label=${t("queue.move_down")} ?disabled=${index >= order.length - 1}
                    @click=${() => this.move(planStep(order, job.id, 1))}>${icon("mdi:chevron-down")}</button>`
              : nothing}
            ${job.can_retry
              ? html`<button class="icon-button" data-testid="queue-retry-${job.id}" title=${t("queue.retry")} aria-label=${t("queue.retry")}
                  @click=${() => requestAction(this, "retry_job", { job_id: job.id })}>${icon("mdi:replay")}</button>`
              : nothing}
            ${job.can_cancel
              ? html`<button class="icon-button danger" data-testid="queue-cancel-${job.id}" title=${t("queue.cancel")} aria-label=${t("queue.cancel")}
                  @click=${() => this.cancel(job)}>${icon("mdi:close")}</button>`
              : nothing}
          </div>`
        : nothing}
    </div>`;
  }

  private cancel(job: Job): void {
    requestAction(this, "cancel_job", { job_id: job.id });
  }

  private setPriority(job: Job, input: HTMLInputElement): void {
    const priority = Number(input.value);
    if (!Number.isSafeInteger(priority) || priority < 1) {
      input.value = String(job.priority);
      return;
    }
    if (priority !== job.priority) requestAction(this, "set_priority", { job_id: job.id, priority });
  }

  /**
   * Dropped on a waiting row: before it (after it in its lowest quarter). On a row that does
   * not move: before every waiting job if it is above them (an active job), else after them.
   */
  private rowDropIndex(e: DragEvent, job: Job, index: number): number {
    if (index < 0) {
      const firstWaiting = this.queue.findIndex((other) => other.can_move);
      return this.queue.indexOf(job) < firstWaiting ? 0 : this.waitingIds.length;
    }
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return e.clientY > box.top + box.height * 0.75 ? index + 1 : index;
  }

  private start(e: DragEvent, job: Job): void {
    if (!this.admin || !job.can_move) return;
    this.dragging = job.id;
    e.dataTransfer?.setData("text/plain", String(job.id));
    if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
  }

  private over(e: DragEvent, dropIndex: number): void {
    if (this.dragging === null) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
    this.dropIndex = dropIndex;
  }

  private drop = (e: DragEvent): void => {
    e.preventDefault();
    const jobId = this.dragging ?? Number(e.dataTransfer?.getData("text/plain"));
    const dropIndex = this.dropIndex;
    this.end();
    if (!jobId || dropIndex === null) return;
    this.move(planMove(this.waitingIds, jobId, dropIndex));
  };

  private end = (): void => {
    this.dragging = null;
    this.dropIndex = null;
  };

  static override styles = [
    sharedStyles,
    css`
      .queue {
        display: flex;
        flex-direction: column;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 10px;
        padding: 8px 4px;
        border-top: 2px solid transparent;
        border-bottom: 1px solid var(--divider-color);
        --otto-thumbnail-size: 44px;
      }
      .row[draggable="true"] {
        cursor: grab;
      }
      .row.dragging {
        opacity: 0.4;
      }
      .row.over {
        border-top-color: var(--primary-color);
      }
      .row.finished {
        opacity: 0.7;
      }
      .handle {
        width: 20px;
        color: var(--secondary-text-color);
        flex: none;
      }
      .main {
        flex: 1;
        min-width: 0;
      }
      .name {
        font-weight: 500;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .details {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 10px;
        margin-top: 2px;
      }
      .message {
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .priority {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 2px;
        font-size: 0.9em;
      }
      .priority .secondary {
        font-size: 0.75em;
      }
      .buttons {
        display: flex;
        align-items: center;
      }
      .drop-end {
        height: 24px;
        border-top: 2px solid transparent;
      }
      .drop-end.over {
        border-top-color: var(--primary-color);
      }
      @media (max-width: 600px) {
        .row {
          flex-wrap: wrap;
        }
        .main {
          flex-basis: calc(100% - 90px);
        }
        .priority {
          flex-direction: row;
          margin-left: 30px;
        }
        .buttons {
          margin-left: auto;
        }
      }
    `,
  ];
}

defineOnce("ottoengine-job-queue", OttoJobQueue);
