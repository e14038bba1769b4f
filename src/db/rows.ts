// The rows D1 returns for the tables of schema.ts: keyed by column name, valued as SQLite stores them (booleans as
// 0/1, JSON as its text), null where the column allows it. Types only, so nothing of drizzle reaches the Worker's
// bundle: its reads and writes are plain prepared SQL (src/ledger, src/http), and these keep that SQL's rows, their
// column names and their types, tied to the schema at compile time.
import type { Table } from "drizzle-orm";

type Stored<C> = C extends { _: { columnType: "SQLiteBoolean" | "SQLiteTextJson"; driverParam: infer D } }
  ? D
  : C extends { _: { data: infer D } }
    ? D
    : never;
type NullIfAllowed<C> = C extends { _: { notNull: true } } ? never : null;

/** A whole row of `T` as `SELECT *` reads it; `Pick` the columns a query selects. */
export type Row<T extends Table> = {
  [K in keyof T["_"]["columns"] as T["_"]["columns"][K]["_"]["name"]]:
    | Stored<T["_"]["columns"][K]>
    | NullIfAllowed<T["_"]["columns"][K]>;
};
