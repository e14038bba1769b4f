// Pulls from an async iterator under a clock: when the clock runs out the attempt is aborted and a timeout thrown.

import type { ProviderId } from "../config/schema.ts";
import { ProviderError } from "../core/errors.ts";

export type ClockName = "headers" | "first_token" | "idle" | "deadline";

/** Races `promise` against `ms`; on expiry aborts `controller` (ending any pending read) and throws a timeout. */
export async function withClock<T>(
  promise: Promise<T>,
  ms: number,
  clock: ClockName,
  controller: AbortController,
  provider: ProviderId,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = clockError(provider, clock, ms);
        controller.abort(error);
        reject(error);
      },
      Math.max(0, ms),
    );
  });
  // The loser of the race may reject later (an aborted read): that rejection is expected and handled here.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The timeout a clock running out becomes (kind "timeout", code = the clock's name). */
export function clockError(provider: ProviderId, clock: ClockName, ms: number): ProviderError {
  return new ProviderError({
    kind: "timeout",
    provider,
    code: clock,
    message: `${provider}: no ${describe(clock)} within ${ms} ms`,
  });
}

function describe(clock: ClockName): string {
  switch (clock) {
    case "headers":
      return "response headers";
    case "first_token":
      return "first token";
    case "idle":
      return "stream chunk (stalled)";
    case "deadline":
      return "answer before the request deadline";
    default: {
      const never: never = clock;
      return never;
    }
  }
}
