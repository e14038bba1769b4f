// An attempt's signals: its controller, linked to the client's signal, and how a failed fetch or read is named
// (the provider's error, a timeout's, the client gone, or a network failure).
import { ProviderError } from "../core/errors.ts";
import type { AttemptRecord } from "../ledger/record.ts";
import type { AttemptInput } from "./attempt.ts";

/** Thrown when the client closed the connection: nothing more is to be tried. */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
  /** The attempts made before the client left (the one in flight marked failed), for the ledger. */
  attempts: AttemptRecord[] = [];
}

/** Network failures and aborts become ProviderError (network/timeout) or ClientGoneError; ProviderErrors pass. */
export function translateFailure(
  err: unknown,
  input: AttemptInput,
  controller: AbortController,
  afterHeaders = false,
): unknown {
  if (err instanceof ProviderError) return err;
  if (input.clientSignal.aborted) return new ClientGoneError("the client closed the connection");
  const reason: unknown = controller.signal.reason;
  if (controller.signal.aborted && (reason instanceof ProviderError || reason instanceof ClientGoneError))
    return reason;
  const message = err instanceof Error ? err.message : String(err);
  // A reset before any byte is worth retrying; a connection cut after the headers is a broken stream.
  return afterHeaders
    ? new ProviderError({
        kind: "stream",
        provider: input.adapter.id,
        message: `${input.adapter.id} cut the connection: ${message}`,
      })
    : new ProviderError({
        kind: "network",
        provider: input.adapter.id,
        message: `${input.adapter.id} could not be reached: ${message}`,
      });
}

export interface DisposableController extends AbortController {
  dispose(): void;
}

/**
 * An AbortController that also aborts when the client's signal does (and when `own`, this attempt's own signal, does,
 * with its reason); dispose() unhooks both.
 */
export function linkedController(parent: AbortSignal, own?: AbortSignal): DisposableController {
  const controller = new AbortController() as DisposableController;
  const onAbort = () => controller.abort(new ClientGoneError("the client closed the connection"));
  const onOwn = () => controller.abort(own?.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  if (own?.aborted) onOwn();
  else own?.addEventListener("abort", onOwn, { once: true });
  controller.dispose = () => {
    parent.removeEventListener("abort", onAbort);
    own?.removeEventListener("abort", onOwn);
  };
  return controller;
}
