// Where each routing control came from (a header or the body's `router` field), for errors only the plan can find.
import type { RouterControls } from "../core/router-controls.ts";

/** Per controls read with headers: field -> the header it came from (a later check names what the caller sent). */
export const HEADER_FIELDS = new WeakMap<RouterControls, Map<string, string>>();

/**
 * The name of a control as the caller sent it, for an error about its value that only the plan can find (an unknown
 * chain or task type): its header when it came from one, else its `router.*` field.
 */
export function controlParam(controls: RouterControls, field: "chain" | "task_type"): string {
  return HEADER_FIELDS.get(controls)?.get(field) ?? `router.${field}`;
}
