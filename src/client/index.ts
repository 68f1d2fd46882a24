/**
 * `ws-notify/client`. Placeholder: the browser client is written on its own branch and replaces
 * this file; until then the package builds, packs and imports with an empty entry.
 */
export {};
