// drizzle-kit: generates the SQL in migrations/ from src/db/schema.ts (`npm run db:generate`); wrangler applies it.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
