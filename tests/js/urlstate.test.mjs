// node --test: the URL fragment codec. Any fragment is either ours or ignored, never an
// error; values round-trip exactly, text included, and the build's scenario links decode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFragment, parseFragment } from "../../tools/parameter_lab/runtime/urlstate.js";

test("a fragment we wrote comes back exactly, whatever the text holds", () => {
  const texts = ["A&B=1 100%", "a+b", "%41", "改行\nと\tタブ", "🙂", "#x:y=z", "=", "&&", " ", ""];
  for (const text of texts) {
    const hash = formatFragment("calc", [["config_json", text], ["layers", "40"]]);
    assert.deepEqual(parseFragment(hash), { id: "calc", texts: { config_json: text, layers: "40" } }, JSON.stringify(text));
  }
});

test("text is decoded once: A&B=1 100% stays one value, not two keys", () => {
  const hash = formatFragment("t", [["text", "A&B=1 100%"]]);
  assert.equal(hash, "#t:text=A%26B%3D1+100%25");
  assert.deepEqual(parseFragment(hash).texts, { text: "A&B=1 100%" });
});

test("the build's scenario links decode (Python urlencode: quote_plus, JSON for non-text)", () => {
  // parameter_lab.prose.scenario_href("fit", {"lr": 3, "name": "a b&c", "on": True})
  assert.deepEqual(parseFragment("#fit:lr=3&name=a+b%26c&on=true"), {
    id: "fit",
    texts: { lr: "3", name: "a b&c", on: "true" },
  });
});

test("a malformed fragment never throws", () => {
  for (const hash of ["#%E0%A4%A", "#calc:x=%E0%A4%A", "#calc:%", "#calc:x=%zz&&=&y", "#calc:x=%ED%A0%80"]) {
    assert.doesNotThrow(() => parseFragment(hash), hash);
  }
  assert.equal(parseFragment("#%E0%A4%A"), null);
  const broken = parseFragment("#calc:x=%E0%A4%A&y=2");
  assert.equal(broken.texts.y, "2", "the good pairs survive a broken one");
  assert.equal(typeof broken.texts.x, "string");
});

test("foreign fragments are not ours", () => {
  for (const hash of ["", "#", "#calc", "#学習率", "#__codelineno-0-1", "#Calc:x=1", "#1a:x=1", "calc:x=1", null, undefined, 42]) {
    assert.equal(parseFragment(hash), null, String(hash));
  }
});

test("a fragment names one block; a repeated name takes its last value", () => {
  assert.deepEqual(parseFragment("#a-1:x=1&x=2").texts, { x: "2" });
  assert.deepEqual(parseFragment("#a-1:"), { id: "a-1", texts: {} });
  assert.equal(formatFragment("a-1", []), "#a-1:");
});

test("a key named __proto__ cannot reach the object's prototype", () => {
  const { texts } = parseFragment("#a:__proto__=x&y=1");
  assert.equal(Object.getPrototypeOf(texts), Object.prototype);
  assert.deepEqual(texts, { y: "1" });
});
