/** Human formats of times in the console page. */

/** `12 s ago`, `3 min ago`, `2 h ago` (from ms since epoch). */
export function ago(atMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
}

/** `in 59 min`, `expired 2 min ago` (from unix seconds). */
export function expiry(expiresAtSeconds: number, nowMs: number): string {
  const seconds = Math.round(expiresAtSeconds - nowMs / 1000);
  if (seconds <= 0) return `expired ${ago(expiresAtSeconds * 1000, nowMs)}`;
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  return `in ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `14:03:07.123` local time. */
export function clock(atMs: number): string {
  const date = new Date(atMs);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
