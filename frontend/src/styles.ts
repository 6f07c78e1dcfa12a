/** Shared styles: HA's theme variables only, so light and dark themes (and custom ones) work. */

import { css } from "lit";

export const sharedStyles = css`
  :host {
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, Noto, sans-serif));
    --otto-radius: var(--ha-card-border-radius, 12px);
    --mdc-icon-size: 20px;
  }
  .card {
    display: block;
    box-sizing: border-box;
    height: 100%;
  }
  .card.fallback {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--otto-radius);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    color: var(--primary-text-color);
  }
  .otto-header {
    display: flex;
    align-items: center;
    gap: 12px;
    padding: 12px 16px 8px;
  }
  .otto-header .title {
    flex: 1;
    min-width: 0;
  }
  .otto-header h2 {
    margin: 0;
    font-size: 1.1em;
    font-weight: 500;
    line-height: 1.3;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .secondary {
    color: var(--secondary-text-color);
    font-size: 0.875em;
  }
  .otto-content {
    padding: 0 16px 16px;
  }
  svg.icon,
  ha-svg-icon,
  ha-icon {
    width: var(--mdc-icon-size);
    height: var(--mdc-icon-size);
    flex: none;
    display: inline-block;
    vertical-align: middle;
  }
  .avatar {
    width: 40px;
    height: 40px;
    border-radius: 50%;
    display: flex;
    align-items: center;
    justify-content: center;
    flex: none;
    color: var(--otto-state-color, var(--primary-color));
    background: color-mix(in srgb, var(--otto-state-color, var(--primary-color)) 18%, transparent);
    --mdc-icon-size: 22px;
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 10px;
    border-radius: 12px;
    font-size: 0.8em;
    font-weight: 500;
    white-space: nowrap;
    color: var(--otto-state-color, var(--secondary-text-color));
    background: color-mix(in srgb, var(--otto-state-color, var(--secondary-text-color)) 16%, transparent);
  }
  .state-ok {
    --otto-state-color: var(--success-color, #43a047);
  }
  .state-busy {
    --otto-state-color: var(--primary-color, #03a9f4);
  }
  .state-warn {
    --otto-state-color: var(--warning-color, #ffa600);
  }
  .state-error {
    --otto-state-color: var(--error-color, #db4437);
  }
  .state-off {
    --otto-state-color: var(--disabled-text-color, var(--secondary-text-color, #9e9e9e));
  }
  .progress {
    height: 8px;
    border-radius: 4px;
    background: color-mix(in srgb, var(--primary-color) 18%, transparent);
    overflow: hidden;
  }
  .progress > div {
    height: 100%;
    background: var(--primary-color);
    border-radius: 4px;
    transition: width 0.6s ease;
  }
  button {
    font: inherit;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
    min-height: 36px;
    padding: 0 14px;
    border-radius: 18px;
    border: 1px solid var(--divider-color);
    background: transparent;
    color: var(--primary-color);
    font-weight: 500;
    font-size: 0.875em;
    cursor: pointer;
    --mdc-icon-size: 18px;
  }
  .button:hover:not([disabled]) {
    background: color-mix(in srgb, var(--primary-color) 8%, transparent);
  }
  .button.primary {
    background: var(--primary-color);
    border-color: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  .button.primary:hover:not([disabled]) {
    background: color-mix(in srgb, var(--primary-color) 85%, #000);
  }
  .button.danger {
    color: var(--error-color);
  }
  .button[disabled] {
    opacity: 0.5;
    cursor: default;
  }
  .icon-button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 36px;
    height: 36px;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: transparent;
    color: var(--secondary-text-color);
    cursor: pointer;
    flex: none;
  }
  .icon-button:hover:not([disabled]) {
    background: color-mix(in srgb, var(--primary-text-color) 8%, transparent);
    color: var(--primary-text-color);
  }
  .icon-button[disabled] {
    opacity: 0.35;
    cursor: default;
  }
  .icon-button.danger:hover:not([disabled]) {
    color: var(--error-color);
  }
  button:focus-visible,
  input:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--primary-color);
    outline-offset: 2px;
  }
  input[type="number"] {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--secondary-background-color, transparent));
    border: 1px solid var(--divider-color);
    border-radius: 8px;
    padding: 6px 8px;
    width: 4.5em;
    box-sizing: border-box;
  }
  .empty {
    color: var(--secondary-text-color);
    padding: 8px 0;
    font-size: 0.9em;
  }
`;

/** The status colour class of a printer, OttoEject or job status. */
export function statusClass(status: string, online = true): string {
  if (!online) return "state-off";
  switch (status) {
    case "RUNNING":
    case "PRINTING":
    case "PREPARING":
    case "EJECTING":
    case "STORING":
    case "printing":
    case "running":
    case "ejecting":
    case "starting":
    case "confirming":
    case "BUSY":
      return "state-busy";
    case "FINISH":
    case "COMPLETED":
    case "READY":
    case "ONLINE":
    case "IDLE":
    case "done":
    case "ready":
    case "idle":
      return "state-ok";
    case "PAUSED":
    case "paused":
    case "waiting_for_ejector":
    case "QUEUED":
    case "NEW":
      return "state-warn";
    case "FAILED":
    case "ERROR":
    case "error":
    case "OFFLINE":
    case "ISSUE":
      return "state-error";
    default:
      return "state-off";
  }
}
