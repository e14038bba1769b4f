// Who is calling, once a transport has authenticated the request: the admin, a workspace's gateway key, or nobody in
// development mode. Budgets, the ledger and the gateway read it; src/http/auth.ts decides it.
import type { KeyRecord } from "./key-record.ts";

export type Caller =
  | {
      kind: "admin" | "development";
      /** Null: admin and development callers may name any workspace. */
      workspaceId: null;
    }
  | {
      kind: "workspace";
      /** The key's workspace: it overrides any workspace_id the caller names. */
      workspaceId: string;
      key: Pick<KeyRecord, "id" | "prefix" | "allowed_origins" | "rpm_limit" | "budget_pico"> & {
        tpm_limit: number | null;
      };
    };
