// A reader's edits, kept across reloads and navigation in localStorage: a cell's code, a
// demo's control values. One entry per block, keyed by the page's path (which holds the
// site's, so sites sharing an origin never meet) and the block's id, and stamped with a
// hash of the block's source as built.
//
// What to do with an entry is decided here, purely:
//   - nothing stored, or the URL's fragment names this block (a link wins): "none";
//   - stored for the same built source: "apply";
//   - stored for another built source (a redeploy changed the block): "offer" — the old edit
//     is not applied silently, the block says it exists and lets the reader take it.
// Nothing is written until the reader edits; Reset deletes the entry.

const PREFIX = "plab-edit:";

export const keyOf = (path, id) => `${PREFIX}${path}#${id}`;

/** A short, stable hash of a block's built source (FNV-1a, 32 bits, hex). Not security:
 * it only tells one build's block from another's. */
export function sourceHash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** "none" | "apply" | "offer" for a stored entry ({source, edit} or null). */
export function decide(stored, source, linked) {
  if (!stored || linked) return "none";
  return stored.source === source ? "apply" : "offer";
}

/** The stored entry, or null (none, unreadable, or no storage in this browser). */
export function read(storage, key) {
  try {
    const text = storage?.getItem(key);
    const entry = text ? JSON.parse(text) : null;
    return entry && typeof entry.source === "string" && entry.edit !== undefined ? entry : null;
  } catch {
    return null;
  }
}

/** Store an edit; quietly nothing when storage is full or forbidden. */
export function write(storage, key, source, edit) {
  try {
    storage?.setItem(key, JSON.stringify({ source, edit }));
  } catch {
    // private mode or quota: the edit lives as long as the page
  }
}

export function forget(storage, key) {
  try {
    storage?.removeItem(key);
  } catch {
    // nothing was kept
  }
}

/** Whether any block in `ids` has a kept edit on the page at `path`. */
export function anyKept(storage, path, ids) {
  return ids.some((id) => read(storage, keyOf(path, id)) !== null);
}
