// Which workspace a read may see: a workspace key its own only; admin and development any one, or all (null).
import type { Caller } from "./auth.ts";
import { HttpError } from "./errors.ts";

export function readableWorkspace(caller: Caller, asked: string | undefined): string | null {
  if (caller.kind !== "workspace") return asked ?? null;
  if (asked !== undefined && asked !== caller.workspaceId) {
    throw new HttpError(403, "This key may only read its own workspace.", {
      param: "workspace_id",
      code: "forbidden_workspace",
    });
  }
  return caller.workspaceId;
}
