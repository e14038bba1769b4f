// The platform floor: a pass-through Worker that forwards every request to UPSTREAM and streams the answer back.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = new URL(url.pathname + url.search, env.UPSTREAM);
    const headers = new Headers(request.headers);
    headers.delete("host");
    return fetch(upstream, { method: request.method, headers, body: request.body });
  },
};
