// The label of the browser project's dummy provider keys: the page must never show one.
export const BROWSER_KEY_LABEL = "browser-secret";
