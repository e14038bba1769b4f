// Lifecycle and SDK fit: close() ends open responses at once, and the official OpenAI client reads the replays.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { chat, chatBody, createSession } from "./helpers.ts";
import { baseUrls, startEmulator } from "./server.ts";

describe("close()", () => {
  it("drops hung and stalled responses and resolves promptly", async () => {
    const emulator = await startEmulator();
    const session = await createSession(emulator.url, {
      faults: [
        { provider: "openai", mode: "hang" },
        { provider: "ollama", mode: "stall", after_chunks: 1 },
      ],
    });
    // Settled into values at once: both reject while close() runs, before the assertions below could catch them.
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (err: unknown) => err,
      );
    const hung = settle(chat(session.base_urls.openai, "openai", chatBody("openai")));
    const stalled = await chat(session.base_urls.ollama, "ollama", chatBody("ollama"));
    const stalledBody = settle(stalled.text());
    // Let the hung request reach the server before closing.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await hung).toBeInstanceOf(Error);
    expect(await stalledBody).toBeInstanceOf(Error);
  });

  it("frees the port", async () => {
    const first = await startEmulator();
    await first.close();
    const second = await startEmulator({ port: first.port });
    expect(second.port).toBe(first.port);
    await second.close();
  });
});

describe("official openai client", () => {
  it("streams the OpenAI replay and reads the usage chunk", async () => {
    const emulator = await startEmulator();
    try {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: baseUrls(emulator.url, "").openai, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "What is 10 + 5?" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let totalTokens: number | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        totalTokens = chunk.usage?.total_tokens ?? totalTokens;
      }
      expect(text).toBe("10 + 5 equals 15.");
      expect(totalTokens).toBe(31);
    } finally {
      await emulator.close();
    }
  });

  it("surfaces a 429 fault as a RateLimitError with the Retry-After header", async () => {
    const emulator = await startEmulator();
    try {
      const session = await createSession(emulator.url, {
        faults: [{ provider: "mistral", mode: "status", status: 429, retry_after: "3" }],
      });
      const client = new OpenAI({ apiKey: "m", baseURL: session.base_urls.mistral, maxRetries: 0 });
      const call = client.chat.completions.create({ model: "mistral-large-latest", messages: [] });
      await expect(call).rejects.toBeInstanceOf(OpenAI.RateLimitError);
      await expect(call).rejects.toMatchObject({ status: 429 });
    } finally {
      await emulator.close();
    }
  });
});
