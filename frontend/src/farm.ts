/** The farm as `ottoengine/panel/subscribe` sends it (docs/panel.md). */

export interface JobRef {
  id: number;
  name: string;
  print_item_id: number | null;
}

export interface PanelAction {
  action: string;
  data: Record<string, unknown>;
}

export interface Printer {
  id: number | string;
  name: string;
  model: string | null;
  device_id: string | null;
  online: boolean;
  status: string;
  stage: string | null;
  progress: number | null;
  remaining_minutes: number | null;
  end_time: string | null;
  nozzle_temperature: number | null;
  nozzle_target: number | null;
  bed_temperature: number | null;
  bed_target: number | null;
  chamber_temperature: number | null;
  plate_present: boolean | null;
  job: JobRef | null;
  workflow: { id: number | string; phase: string; note: string | null } | null;
  attention: { reason: string; actions: PanelAction[] } | null;
}

export interface WaitingRequest {
  printer_id: number | string;
  printer_name: string;
  job_id: number | null;
  phase: string;
}

export interface OttoEject {
  id: number | string;
  name: string;
  device_id: string | null;
  online: boolean;
  status: string;
  macro: string | null;
  waiting: WaitingRequest[];
}

export type ShelfState = "empty" | "empty_plate" | "completed_print";

export interface Shelf {
  id: number | string;
  number: number;
  state: ShelfState;
  job: JobRef | null;
  reserved: { job_id: number; kind: "store" | "grab" } | null;
}

export interface Rack {
  id: number | string;
  name: string;
  shelf_spacing_mm: number;
  bed_size: string | null;
  shelves: Shelf[];
}

export type JobStatus =
  | "NEW"
  | "QUEUED"
  | "PRINTING"
  | "PAUSED"
  | "EJECTING"
  | "STORING"
  | "COMPLETED"
  | "FAILED"
  | "CANCELLED";

export interface Job {
  id: number;
  name: string;
  status: JobStatus;
  priority: number;
  printer_id: number | string | null;
  printer_name: string | null;
  print_item_id: number | null;
  file_name: string | null;
  estimated_minutes: number | null;
  progress: number | null;
  status_message: string | null;
  created_at: string | null;
  finished_at: string | null;
  can_cancel: boolean;
  can_retry: boolean;
  can_move: boolean;
}

export interface Figures {
  jobs_today: number;
  completed_today: number;
  failed_today: number;
  success_rate: number | null;
  print_hours_today: number;
  print_hours_total: number;
  queued: number;
  active: number;
}

export interface Processing {
  enabled: boolean;
  status: string;
}

export interface Farm {
  loaded: boolean;
  is_admin: boolean;
  processing: Processing;
  figures: Figures;
  printers: Record<string, Printer>;
  ottoejects: Record<string, OttoEject>;
  racks: Record<string, Rack>;
  queue: Job[];
}

export interface SnapshotEvent {
  kind: "snapshot";
  farm: Farm;
}

export interface ChangesEvent {
  kind: "changes";
  printers?: Record<string, Printer | null>;
  ottoejects?: Record<string, OttoEject | null>;
  racks?: Record<string, Rack | null>;
  queue?: Job[];
  figures?: Figures;
  processing?: Processing;
}

export type FarmEvent = SnapshotEvent | ChangesEvent;

/** The answer of `POST /api/print-jobs/upload`. */
export interface UploadedItem {
  print_item_id: number;
  filename: string;
  file_size: string | null;
  estimated_print_time: number | null;
  layer_count: number | null;
  filament_used: string | null;
  message: string;
  has_thumbnail?: boolean;
  plate_count?: number | null;
}

/** Items of a keyed section, in id order (numeric ids numerically). */
export function sortedItems<T extends { id: number | string; name?: string }>(
  items: Record<string, T>,
): T[] {
  return Object.values(items).sort((a, b) => {
    const left = Number(a.id);
    const right = Number(b.id);
    if (!Number.isNaN(left) && !Number.isNaN(right)) return left - right;
    return String(a.id).localeCompare(String(b.id));
  });
}
