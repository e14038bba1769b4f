// What the panels share: who the gateway says we are, the workspace filter, and a hook for "something just happened".
import type { GatewayInfo } from "./api-types.ts";

export interface PageState {
  gateway: GatewayInfo | null;
  /** The workspace filter ("" for all); a workspace key's own workspace is implied, so it stays "". */
  workspace: string;
  timer: ReturnType<typeof setInterval> | undefined;
  tick: number;
  /** Called after the playground sent a request, so the panels show it soon. */
  onActivity: () => void;
}
