// GET /v1/requests pages (the dashboard's recent requests): the answer's `next` (before + before_id) pages through
// requests of one millisecond without skipping or repeating any; `before=<ms>` alone keeps its meaning.
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";

const HI = [{ role: "user", content: "hi" }];

interface Page {
  data: { id: string; created_at: number }[];
  next: { before: number; before_id: string } | null;
}

describe("GET /v1/requests paging", () => {
  it("following `next` lists every request once, across rows that share a millisecond", async () => {
    const s = await newSession();
    const ws = `page-${crypto.randomUUID().slice(0, 8)}`;
    // Started together: workerd's clock does not move between them, so some share created_at.
    const answers = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() =>
        chat(s.env, { model: "openai/gpt-4o-mini", messages: HI }, { "x-router-workspace": ws }),
      ),
    );
    for (const a of answers) expect(a.status).toBe(200);
    const all = (await (await call(s.env, `/v1/requests?workspace_id=${ws}&limit=10`)).json()) as Page;
    expect(all.data).toHaveLength(6);
    expect(all.next).toBeNull();
    // A page size that ends a page between two rows of the same millisecond (newest first).
    const tie = all.data.findIndex((r, i) => all.data[i + 1]?.created_at === r.created_at);
    expect(tie, `precondition: two requests in one ms ${JSON.stringify(all.data)}`).toBeGreaterThanOrEqual(0);
    const limit = tie + 1;

    const seen: string[] = [];
    let next: Page["next"] = null;
    for (let page = 0; page < 10; page++) {
      const cursor = next === null ? "" : `&before=${next.before}&before_id=${next.before_id}`;
      const res = await call(s.env, `/v1/requests?workspace_id=${ws}&limit=${limit}${cursor}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Page;
      seen.push(...body.data.map((r) => r.id));
      if (body.next === null) break;
      expect(body.next).toEqual({ before: body.data.at(-1)?.created_at, before_id: body.data.at(-1)?.id });
      next = body.next;
    }
    expect(seen).toEqual(all.data.map((r) => r.id));

    // `before` alone is "arrived before this millisecond": the whole tie is past it.
    const tied = all.data[tie]!.created_at;
    const older = (await (await call(s.env, `/v1/requests?workspace_id=${ws}&before=${tied}`)).json()) as Page;
    expect(older.data.map((r) => r.id)).toEqual(all.data.filter((r) => r.created_at < tied).map((r) => r.id));
  });

  it("before_id goes with before", async () => {
    const s = await newSession();
    const res = await call(s.env, "/v1/requests?before_id=req_x");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error).toMatchObject({ param: "before_id" });
  });
});
