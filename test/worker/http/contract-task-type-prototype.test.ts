// A task type named like an Object.prototype property ("__proto__", "constructor") is a 400, never a
// 500 (DESIGN.md "Routing controls": "both are validated, a bad value is a 400").
import { describe, expect, it } from "vitest";
import { call, chat, newSession } from "../gateway.ts";

const USER = [{ role: "user", content: "hi" }];

describe("router.task_type / x-router-task-type that names an Object.prototype member", () => {
  for (const value of ["__proto__", "constructor"]) {
    it(`body router.task_type "${value}" is a 400 task_type_not_found on chat completions`, async () => {
      const s = await newSession();
      const r = await chat(s.env, { model: "auto", messages: USER, router: { task_type: value } });
      const body = (await r.json()) as { error: { code: string; param: string } };
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(body.error.code).toBe("task_type_not_found");
      expect(await s.requests()).toEqual([]);
    });
    it(`header x-router-task-type: ${value} is a 400 on POST /v1/route`, async () => {
      const s = await newSession();
      const r = await call(s.env, "/v1/route", {
        method: "POST",
        json: { model: "auto", messages: USER },
        headers: { "x-router-task-type": value },
      });
      expect(r.status, await r.clone().text()).toBe(400);
    });
  }
});
