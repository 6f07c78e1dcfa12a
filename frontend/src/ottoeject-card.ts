/** `<ottoengine-ottoeject-card>`: one OttoEject, its running macro and the runs waiting for it. */

import { LitElement, css, html, nothing } from "lit";
import { property } from "lit/decorators.js";

import type { OttoEject } from "./farm.js";
import { card, defineOnce, icon } from "./ha-elements.js";
import type { Localize } from "./localize.js";
import { sharedStyles, statusClass } from "./styles.js";

export class OttoEjectCard extends LitElement {
  @property({ attribute: false }) ottoeject!: OttoEject;
  @property({ attribute: false }) localize!: Localize;

  protected override render() {
    const e = this.ottoeject;
    const t = this.localize;
    const status = e.online ? e.status : "OFFLINE";
    return card(
      html`
        <div class="otto-header">
          <div class="avatar ${statusClass(status, e.online)}">${icon("mdi:robot-industrial")}</div>
          <div class="title"><h2>${e.name}</h2><div class="secondary">${t("ottoeject.kind")}</div></div>
          <span class="chip ${statusClass(status, e.online)}">${t(`ottoeject_status.${status}`)}</span>
        </div>
        <div class="otto-content">
          <div class="row"><span class="secondary">${t("ottoeject.macro")}</span><span class="macro" title=${e.macro ?? ""}>${e.macro ?? t("ottoeject.no_macro")}</span></div>
          <div class="secondary waiting-title">${t("ottoeject.waiting", { count: e.waiting.length })}</div>
          ${e.waiting.length
            ? html`<ol>${e.waiting.map((w) => html`<li><span>${w.printer_name}</span><span class="chip ${statusClass(w.phase)}">${t(`phase.${w.phase}`)}</span></li>`)}</ol>`
            : nothing}
        </div>
      `,
      `ottoeject-card-${e.id}`,
    );
  }

  static override styles = [
    sharedStyles,
    css`
      .row {
        display: flex;
        min-width: 0;
        justify-content: space-between;
        gap: 12px;
        align-items: baseline;
      }
      .macro {
        font-family: var(--ha-font-family-code, monospace);
        font-size: 0.9em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        min-width: 0;
        flex: 1;
        text-align: right;
      }
      .row > .secondary {
        flex: none;
      }
      .waiting-title {
        margin-top: 10px;
      }
      ol {
        margin: 6px 0 0;
        padding-left: 20px;
      }
      li {
        padding: 2px 0;
      }
      li > span:first-child {
        margin-right: 8px;
      }
    `,
  ];
}

defineOnce("ottoengine-ottoeject-card", OttoEjectCard);
