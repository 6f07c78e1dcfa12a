// A fake `hass` for the dev harness: a sample FARM, a change every second, actions logged.
const params = new URLSearchParams(location.search);
document.body.className = params.get("theme") === "dark" ? "dark" : "light";
const admin = params.get("admin") !== "0";
const narrow = window.innerWidth < 870;

const thumb = (hue) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="hsl(${hue},15%,30%)"/><path d="M14 46 L32 14 L50 46 Z" fill="hsl(${hue},80%,60%)"/></svg>`;
const now = Date.now();
const printer = (id, name, extra) => ({
  id, name, model: "X1C", device_id: `dev${id}`, online: true, status: "IDLE", stage: "Idle",
  progress: 0, remaining_minutes: null, end_time: null, nozzle_temperature: 26, nozzle_target: 0,
  bed_temperature: 25, bed_target: 0, chamber_temperature: null, plate_present: true, job: null,
  workflow: null, attention: null, ...extra,
});
const job = (id, name, status, extra) => ({
  id, name, status, priority: 1, printer_id: null, printer_name: null, print_item_id: id,
  file_name: `${name}.gcode.3mf`, estimated_minutes: 95, progress: 0, status_message: null,
  created_at: new Date(now).toISOString(), finished_at: null, can_cancel: ["QUEUED", "PRINTING", "PAUSED"].includes(status),
  can_retry: ["FAILED", "CANCELLED"].includes(status), can_move: status === "QUEUED", ...extra,
});
const farm = {
  loaded: true, is_admin: admin,
  processing: { enabled: true, status: "running" },
  figures: { jobs_today: 7, completed_today: 5, failed_today: 1, success_rate: 83.3, print_hours_today: 11.5, print_hours_total: 1204.2, queued: 4, active: 2 },
  printers: {
    1: printer(1, "Bambu X1C Left", { status: "RUNNING", stage: "Printing", progress: 42, remaining_minutes: 83,
      end_time: new Date(now + 83 * 60000).toISOString(), nozzle_temperature: 219.6, nozzle_target: 220,
      bed_temperature: 55, bed_target: 55, chamber_temperature: 31, job: { id: 11, name: "bracket-v2", print_item_id: 1 },
      workflow: { id: 3, phase: "printing", note: null } }),
    2: printer(2, "Bambu P1S Right", { status: "PAUSED", stage: "Paused", progress: 100, model: "P1S",
      job: { id: 12, name: "gear-housing", print_item_id: 2 }, plate_present: true,
      workflow: { id: 4, phase: "paused", note: "The plate was not seen leaving the bed" },
      attention: { reason: "The OttoEject could not grab the plate: check the bed and answer.", actions: [
        { action: "resume_workflow", data: { device_id: "dev2", answer: "retry" } },
        { action: "resume_workflow", data: { device_id: "dev2", answer: "done" } },
        { action: "resume_workflow", data: { device_id: "dev2", answer: "abort" } }] } }),
    3: printer(3, "Bambu A1 Spare", { online: false, status: "OFFLINE", model: "A1", plate_present: null, nozzle_temperature: null, bed_temperature: null }),
  },
  ottoejects: {
    1: { id: 1, name: "OttoEject 1", device_id: "e1", online: true, status: "EJECTING", macro: "EJECT_FROM_P1S_RIGHT",
      waiting: [{ printer_id: 1, printer_name: "Bambu X1C Left", job_id: 11, phase: "waiting_for_ejector" }] },
  },
  racks: {
    1: { id: 1, name: "A", shelf_spacing_mm: 60, bed_size: "256x256", shelves: Array.from({ length: 6 }, (_, i) => ({
      id: i + 1, number: i + 1,
      state: [ "completed_print", "completed_print", "empty_plate", "empty", "empty_plate", "empty"][i],
      job: i < 2 ? { id: 5 + i, name: ["phone-stand", "cable-clip x12"][i], print_item_id: 3 + i } : null,
      reserved: i === 3 ? { job_id: 12, kind: "store" } : i === 4 ? { job_id: 13, kind: "grab" } : null })) },
  },
  queue: [
    job(11, "bracket-v2", "PRINTING", { printer_id: 1, printer_name: "Bambu X1C Left", progress: 42 }),
    job(12, "gear-housing", "PAUSED", { printer_id: 2, printer_name: "Bambu P1S Right", status_message: "Waiting for an operator" }),
    job(13, "phone-stand", "QUEUED", { estimated_minutes: 47 }),
    job(14, "cable-clip x12", "QUEUED", { priority: 2, estimated_minutes: 22 }),
    job(15, "lamp-shade", "QUEUED", { priority: 3, estimated_minutes: 410 }),
    job(9, "benchy", "FAILED", { status_message: "Printer reported HMS 0300_0100" , finished_at: new Date(now - 3600e3).toISOString()}),
    job(8, "calibration cube", "COMPLETED", { finished_at: new Date(now - 7200e3).toISOString() }),
  ],
};

let listener = null;
const hass = {
  language: params.get("lang") || "en",
  locale: { language: params.get("lang") || "en", time_format: "language", time_zone: "local" },
  config: { time_zone: "Europe/Berlin" },
  user: { id: "u", name: "Dev", is_admin: admin },
  auth: { data: { access_token: "dev" }, expired: false, refreshAccessToken: async () => {} },
  connection: {
    subscribeMessage: async (cb) => { listener = cb; setTimeout(() => cb({ kind: "snapshot", farm }), 50); return async () => { listener = null; }; },
    addEventListener() {}, removeEventListener() {},
  },
  callWS: async (msg) => {
    console.log("callWS", JSON.stringify(msg));
    if (msg.type === "frontend/get_translations") return { resources: {} };
    if (msg.action === "cancel_job") throw { code: "home_assistant_error", message: "Print job 12 cannot be cancelled now" };
    return null;
  },
  fetchWithAuth: async (path) => {
    const id = Number(path.split("/").pop());
    if (id === 4) return new Response("", { status: 404 });
    return new Response(new Blob([thumb(id * 70)], { type: "image/svg+xml" }));
  },
};
window.fakeHass = hass;
let progress = 42;
setInterval(() => {
  progress = Math.min(100, progress + 1);
  const p = { ...farm.printers[1], progress, remaining_minutes: Math.max(0, 83 - (progress - 42) * 2) };
  farm.printers[1] = p;
  listener?.({ kind: "changes", printers: { 1: p } });
}, 1000);

await customElements.whenDefined("ottoengine-farm-panel");
const panel = document.createElement("ottoengine-farm-panel");
panel.hass = hass;
panel.narrow = narrow;
panel.panel = { url_path: "ottoengine-farm", title: "Print farm" };
document.body.appendChild(panel);
if (params.get("toast")) setTimeout(() => panel.runAction("cancel_job", { job_id: 12 }), 300);
