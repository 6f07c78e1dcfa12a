/**
 * The live farm: one `ottoengine/panel/subscribe` subscription, its snapshot and changes.
 *
 * HA's websocket library subscribes again after a reconnect (a new snapshot follows); the
 * store also tells whether the connection is down, so the panel can say the data is stale.
 */

import type { ChangesEvent, Farm, FarmEvent } from "./farm.js";
import type { Hass } from "./hass.js";

export const SUBSCRIBE_TYPE = "ottoengine/panel/subscribe";

export type StoreListener = () => void;

/** The farm after one event (a snapshot replaces it; changes replace only what they name). */
export function applyFarmEvent(farm: Farm | undefined, event: FarmEvent): Farm | undefined {
  if (event.kind === "snapshot") return event.farm;
  if (farm === undefined) return undefined; // changes before the snapshot mean nothing
  return applyChanges(farm, event);
}

function applyChanges(farm: Farm, changes: ChangesEvent): Farm {
  const next: Farm = { ...farm };
  if (changes.printers) next.printers = mergeItems(farm.printers, changes.printers);
  if (changes.ottoejects) next.ottoejects = mergeItems(farm.ottoejects, changes.ottoejects);
  if (changes.racks) next.racks = mergeItems(farm.racks, changes.racks);
  if (changes.queue) next.queue = changes.queue;
  if (changes.figures) next.figures = changes.figures;
  if (changes.processing) next.processing = changes.processing;
  return next;
}

function mergeItems<T>(items: Record<string, T>, changed: Record<string, T | null>): Record<string, T> {
  const merged: Record<string, T> = { ...items };
  for (const [id, item] of Object.entries(changed)) {
    if (item === null) delete merged[id];
    else merged[id] = item;
  }
  return merged;
}

export class FarmStore {
  farm?: Farm;
  /** The subscription failed (its error's message). */
  error?: string;
  /** The websocket connection is down: what is shown may be stale. */
  disconnected = false;

  private hass?: Hass;
  /** Counts subscriptions: events of an ended one are ignored. */
  private generation = 0;
  private unsubscribe?: Promise<(() => Promise<void>) | undefined>;
  private readonly listener: StoreListener;
  private readonly onDisconnected = () => {
    this.disconnected = true;
    this.listener();
  };
  private readonly onReady = () => {
    this.disconnected = false;
    this.listener();
  };

  constructor(listener: StoreListener) {
    this.listener = listener;
  }

  /** Subscribes with this `hass` (again only when its connection changed). */
  connect(hass: Hass): void {
    if (this.hass?.connection === hass.connection && this.unsubscribe) {
      this.hass = hass;
      return;
    }
    this.disconnect();
    this.hass = hass;
    const generation = ++this.generation;
    const connection = hass.connection;
    connection.addEventListener("disconnected", this.onDisconnected);
    connection.addEventListener("ready", this.onReady);
    this.unsubscribe = connection
      .subscribeMessage<FarmEvent>(
        (event) => {
          if (generation === this.generation) this.handle(event);
        },
        { type: SUBSCRIBE_TYPE },
        {
        resubscribe: true,
      })
      .then(
        (unsubscribe) => {
          this.error = undefined;
          return unsubscribe;
        },
        (err: unknown) => {
          this.error = err && typeof err === "object" && "message" in err
            ? String((err as { message: unknown }).message)
            : String(err);
          this.listener();
          return undefined;
        },
      );
  }

  /** Ends the subscription (the panel left the page). */
  disconnect(): void {
    const connection = this.hass?.connection;
    if (connection) {
      connection.removeEventListener("disconnected", this.onDisconnected);
      connection.removeEventListener("ready", this.onReady);
    }
    this.generation++;
    const pending = this.unsubscribe;
    this.unsubscribe = undefined;
    this.hass = undefined;
    pending?.then((unsubscribe) => unsubscribe?.()).catch(() => undefined);
  }

  private handle(event: FarmEvent): void {
    this.farm = applyFarmEvent(this.farm, event);
    this.disconnected = false;
    this.listener();
  }
}
