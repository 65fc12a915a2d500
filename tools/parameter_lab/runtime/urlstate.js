// The URL fragment that names a demo's settings: "#<block id>:name=value&…", written by the
// widgets as the reader changes controls and by the build's scenario links
// (parameter_lab.prose.scenario_href: urlencode, text as is, anything else as JSON).
//
// Decoding happens once, by URLSearchParams, which never throws: a malformed escape such
// as %E0%A4%A becomes U+FFFD instead of stopping the page. Any other fragment (a heading
// anchor, Material's own, a foreign one) is simply not ours.

const FRAGMENT = /^#([a-z][a-z0-9-]{0,63}):(.*)$/s;

/** {id, texts: {name: text}} for one of our fragments, else null. Never throws. */
export function parseFragment(hash) {
  const m = typeof hash === "string" ? FRAGMENT.exec(hash) : null;
  if (!m) return null;
  const texts = {};
  for (const [name, text] of new URLSearchParams(m[2])) {
    if (name !== "__proto__") texts[name] = text; // a repeated name: the last one wins
  }
  return { id: m[1], texts };
}

/** The fragment for `id` with [name, text] pairs; "#id:" when there are none. */
export function formatFragment(id, pairs) {
  return `#${id}:${new URLSearchParams(pairs).toString()}`;
}
