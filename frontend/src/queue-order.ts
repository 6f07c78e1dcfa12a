/**
 * Reordering the queue with the orchestrator's one operation, `move_job` (`job_id` goes just
 * before `before_job_id`). Only waiting jobs move; a move to the end moves each job that was
 * behind it in front of it instead.
 */

export interface MoveJob {
  job_id: number;
  before_job_id: number;
}

/**
 * The `move_job` calls that put `jobId` at `dropIndex` of `order` (the waiting jobs' ids in
 * queue order; `dropIndex` 0..length: before the job there, or after the last one).
 */
export function planMove(order: number[], jobId: number, dropIndex: number): MoveJob[] {
  const from = order.indexOf(jobId);
  if (from < 0) return [];
  const others = order.filter((id) => id !== jobId);
  const to = Math.max(0, Math.min(others.length, dropIndex > from ? dropIndex - 1 : dropIndex));
  if (to === from) return [];
  if (to < others.length) return [{ job_id: jobId, before_job_id: others[to] }];
  return order.slice(from + 1).map((id) => ({ job_id: id, before_job_id: jobId }));
}

/** The calls that move `jobId` one place up (-1) or down (+1) among the waiting jobs. */
export function planStep(order: number[], jobId: number, step: -1 | 1): MoveJob[] {
  const from = order.indexOf(jobId);
  if (from < 0) return [];
  return planMove(order, jobId, step < 0 ? from - 1 : from + 2);
}
