/**
 * `ws-notify/publisher`. Placeholder: the publisher is written on its own branch and replaces this
 * file; until then the package builds, packs and imports with an empty entry.
 */
export {};
