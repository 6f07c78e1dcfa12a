/** Cards ask the panel to run an action with this event; the panel calls the server. */

export interface ActionRequest {
  action: string;
  data: Record<string, unknown>;
}

export const ACTION_EVENT = "otto-action";

export function requestAction(from: Element, action: string, data: Record<string, unknown> = {}): void {
  from.dispatchEvent(
    new CustomEvent<ActionRequest>(ACTION_EVENT, { detail: { action, data }, bubbles: true, composed: true }),
  );
}
