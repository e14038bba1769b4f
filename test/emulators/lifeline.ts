// Ties every timer of one response to its connection: when the client leaves (or the server closes) they all stop.
import type { ServerResponse } from "node:http";

export interface Lifeline {
  /** The connection is closed. */
  readonly gone: boolean;
  /** The emulator dropped the connection on purpose (reset, cut), so the client did not abort. */
  readonly dropped: boolean;
  /** Resolves true after `ms` (undefined: never), or false as soon as the connection is gone. */
  wait(ms: number | undefined): Promise<boolean>;
  /** Drops the connection with a TCP reset before any byte was written. */
  reset(): void;
  /** Ends the connection mid-response: what was written arrives, the rest never does. */
  cut(): void;
}

export function lifeline(res: ServerResponse): Lifeline {
  let gone = false;
  let dropped = false;
  const stops = new Set<() => void>();

  res.once("close", () => {
    gone = true;
    for (const stop of stops) stop();
    stops.clear();
  });

  return {
    get gone() {
      return gone;
    },
    get dropped() {
      return dropped;
    },
    wait(ms) {
      if (gone) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        let cancel = (): void => {};
        const stop = (): void => {
          cancel();
          resolve(false);
        };
        stops.add(stop);
        const done = (): void => {
          stops.delete(stop);
          resolve(true);
        };
        if (ms === undefined) return;
        // A zero pause still yields, so each event leaves in its own write.
        if (ms === 0) {
          const immediate = setImmediate(done);
          cancel = () => clearImmediate(immediate);
        } else {
          const timer = setTimeout(done, ms);
          cancel = () => clearTimeout(timer);
        }
      });
    },
    reset() {
      dropped = true;
      res.socket?.resetAndDestroy();
    },
    cut() {
      dropped = true;
      const socket = res.socket;
      if (!socket) return;
      // end() flushes what is buffered (the http layer corks writes) and sends FIN; no chunked terminator follows.
      socket.end(() => socket.destroy());
    },
  };
}
