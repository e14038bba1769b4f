// A named model that a filter leaves out (here: an image for a model without vision) while its fallbacks answer: the
// route report says which model was passed over and why, not only the headers that name the one that answered.
import { describe, expect, it } from "vitest";
import { chat, newSession } from "../gateway.ts";

const LLAMA = "together/meta-llama/Llama-3.3-70B-Instruct-Turbo";
const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const withImage = [
  {
    role: "user",
    content: [
      { type: "text", text: "What is in this picture?" },
      { type: "image_url", image_url: { url: PIXEL } },
    ],
  },
];

describe("a named model passed over", () => {
  it("is named in the warnings with the filter's reason, and another model answers", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: LLAMA, messages: withImage });
    expect(res.status, await res.clone().text()).toBe(200);
    const json = (await res.json()) as { model: string; x_router: { model: string; warnings: string[] } };
    expect(`${res.headers.get("x-router-provider")}/${json.x_router.model}`).not.toBe(LLAMA);
    expect(json.x_router.warnings.join("\n")).toMatch(
      new RegExp(`${LLAMA.replace(/[/.]/g, "\\$&")} was passed over: .*vision`),
    );
  });

  it("says nothing when the named model answers", async () => {
    const s = await newSession();
    const res = await chat(s.env, { model: LLAMA, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { x_router: { warnings: string[] } };
    expect(json.x_router.warnings.join("\n")).not.toMatch(/passed over/);
  });
});
