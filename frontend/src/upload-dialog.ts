/**
 * `<ottoengine-upload-dialog>`: upload a print file (with a progress bar), show its parsed
 * estimate (time, layers, filament), choose copies and priority, and confirm → `queue_job`.
 */

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";

import type { UploadedItem } from "./farm.js";
import { defineOnce, icon } from "./ha-elements.js";
import { errorMessage, type Hass } from "./hass.js";
import type { Formatter, Localize } from "./localize.js";
import { sharedStyles } from "./styles.js";
import "./thumbnail.js";
import { uploadPrintFile, type UploadHandle } from "./upload.js";

export type RunAction = (action: string, data: Record<string, unknown>) => Promise<boolean>;

export class OttoUploadDialog extends LitElement {
  @property({ attribute: false }) hass!: Hass;
  @property({ attribute: false }) localize!: Localize;
  @property({ attribute: false }) format!: Formatter;
  @property({ attribute: false }) runAction!: RunAction;
  @state() private fileName: string | null = null;
  @state() private progress: number | null = null;
  @state() private item: UploadedItem | null = null;
  @state() private error: string | null = null;
  @state() private copies = 1;
  @state() private priority = 1;
  @state() private busy = false;
  private handle?: UploadHandle;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.handle?.abort();
  }

  protected override render() {
    const t = this.localize;
    return html`<div class="upload">
      <div class="pick">
        <label class="button primary file">
          ${icon("mdi:file-upload")}${t("upload.choose")}
          <input type="file" accept=".gcode,.3mf,.gcode.3mf" data-testid="upload-input" @change=${this.picked} />
        </label>
        <span class="secondary hint">${this.fileName ?? t("upload.hint")}</span>
      </div>
      ${this.progress !== null && this.item === null
        ? html`<div class="uploading" data-testid="upload-progress">
            <div class="progress" role="progressbar" aria-valuenow=${Math.round(this.progress * 100)}>
              <div style="width: ${this.progress * 100}%"></div>
            </div>
            <span class="secondary">${t("upload.progress", { percent: Math.round(this.progress * 100) })}</span>
            <button class="icon-button" title=${t("upload.abort")} aria-label=${t("upload.abort")} @click=${this.reset}>${icon("mdi:close")}</button>
          </div>`
        : nothing}
      ${this.error ? html`<div class="error" role="alert">${icon("mdi:alert-circle")}<span>${this.error}</span></div>` : nothing}
      ${this.item ? this.renderEstimate(this.item) : nothing}
    </div>`;
  }

  private renderEstimate(item: UploadedItem) {
    const t = this.localize;
    const unknown = "—";
    return html`<div class="estimate">
      <ottoengine-thumbnail .hass=${this.hass} .printItemId=${item.has_thumbnail === false ? null : item.print_item_id} .label=${item.filename}></ottoengine-thumbnail>
      <div class="summary" data-testid="upload-estimate">
        <div class="name">${item.filename}</div>
        <div class="facts secondary">
          <span>${icon("mdi:clock-outline")} ${t("upload.time")}: ${item.estimated_print_time !== null && item.estimated_print_time !== undefined ? this.format.duration(item.estimated_print_time) : unknown}</span>
          <span>${icon("mdi:layers")} ${t("upload.layers")}: ${item.layer_count ?? unknown}</span>
          <span>${t("upload.filament")}: ${item.filament_used ?? unknown}</span>
          ${item.file_size ? html`<span>${t("upload.size")}: ${item.file_size}</span>` : nothing}
        </div>
      </div>
      <div class="settings">
        <label><span class="secondary">${t("upload.copies")}</span>
          <input type="number" min="1" max="100" .value=${String(this.copies)} data-testid="upload-copies"
            @input=${(e: Event) => (this.copies = Number((e.target as HTMLInputElement).value))} /></label>
        <label><span class="secondary">${t("upload.priority")}</span>
          <input type="number" min="1" max="100" .value=${String(this.priority)} data-testid="upload-priority"
            @input=${(e: Event) => (this.priority = Number((e.target as HTMLInputElement).value))} /></label>
        <button class="button" @click=${this.reset}>${t("upload.discard")}</button>
        <button class="button primary" data-testid="upload-confirm" ?disabled=${this.busy || !this.valid()} @click=${this.confirm}>
          ${t("upload.confirm", { copies: this.copies })}
        </button>
      </div>
    </div>`;
  }

  private valid(): boolean {
    const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100;
    return ok(this.copies) && ok(this.priority);
  }

  private picked = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    this.handle?.abort();
    this.fileName = file.name;
    this.item = null;
    this.error = null;
    this.progress = 0;
    const handle = uploadPrintFile(this.hass, file, (fraction) => {
      if (this.handle === handle) this.progress = fraction;
    });
    this.handle = handle;
    handle.done.then(
      (item) => {
        if (this.handle !== handle) return;
        this.item = item;
        this.copies = 1;
        this.priority = 1;
      },
      (err: unknown) => {
        if (this.handle !== handle) return;
        this.progress = null;
        this.error = this.localize("upload.failed", { message: errorMessage(err) });
      },
    );
  };

  private confirm = async (): Promise<void> => {
    if (!this.item || !this.valid()) return;
    this.busy = true;
    const ok = await this.runAction("queue_job", {
      print_item_id: this.item.print_item_id,
      copies: this.copies,
      priority: this.priority,
    });
    this.busy = false;
    if (ok) this.reset();
  };

  private reset = (): void => {
    this.handle?.abort();
    this.handle = undefined;
    this.fileName = null;
    this.progress = null;
    this.item = null;
    this.error = null;
  };

  static override styles = [
    sharedStyles,
    css`
      .upload {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .pick {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
      }
      .file {
        position: relative;
        overflow: hidden;
      }
      .file input {
        position: absolute;
        inset: 0;
        opacity: 0;
        cursor: pointer;
      }
      .hint {
        overflow: hidden;
        text-overflow: ellipsis;
        min-width: 0;
      }
      .uploading {
        display: flex;
        align-items: center;
        gap: 12px;
      }
      .uploading .progress {
        flex: 1;
      }
      .error {
        display: flex;
        gap: 8px;
        align-items: center;
        color: var(--error-color);
      }
      .estimate {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 12px;
        padding: 12px;
        border-radius: 8px;
        background: var(--primary-background-color);
      }
      .summary {
        flex: 1;
        min-width: 180px;
      }
      .name {
        font-weight: 500;
        word-break: break-all;
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 14px;
        margin-top: 4px;
        --mdc-icon-size: 16px;
      }
      .settings {
        display: flex;
        align-items: flex-end;
        gap: 10px;
        flex-wrap: wrap;
      }
      .settings label {
        display: flex;
        flex-direction: column;
        gap: 2px;
        font-size: 0.9em;
      }
    `,
  ];
}

defineOnce("ottoengine-upload-dialog", OttoUploadDialog);
