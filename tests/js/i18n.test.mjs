// The runtime's words are the site's, from the manifest (parameter_lab/locales/<language>.json):
// a word with a placeholder becomes a function of its one value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const en = JSON.parse(readFileSync(new URL("../../tools/parameter_lab/locales/en.json", import.meta.url)));
globalThis.document = { documentElement: { lang: "en" } };
globalThis.plabStrings = en.runtime;
const { language, strings } = await import("../../tools/parameter_lab/runtime/i18n.js");

test("words come from the site's data file, placeholders filled", () => {
  const t = strings();
  assert.equal(language(), "en");
  assert.equal(t.running, "Running…");
  assert.equal(t.done(12), "Done (12 ms)");
  assert.equal(t.missing("einops"), "The package “einops” could not be loaded (offline, or its server is unreachable).");
  assert.equal(t.cellFilename, "<cell>");
});
