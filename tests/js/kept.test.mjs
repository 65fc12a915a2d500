// node --test: kept edits. Nothing until an edit; the same built source applies, another
// offers; a link to the block wins; broken or forbidden storage is never an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { anyKept, decide, forget, keyOf, read, sourceHash, write } from "../../tools/parameter_lab/runtime/kept.js";

class FakeStorage {
  map = new Map();
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}
const forbidden = {
  getItem() {
    throw new DOMException("denied", "SecurityError");
  },
  setItem() {
    throw new DOMException("full", "QuotaExceededError");
  },
  removeItem() {
    throw new DOMException("denied", "SecurityError");
  },
};

test("keys are per page path and block; the source hash tells builds apart", () => {
  assert.notEqual(keyOf("/a/ch/", "x"), keyOf("/b/ch/", "x"));
  assert.notEqual(keyOf("/a/ch/", "x"), keyOf("/a/ch/", "y"));
  assert.equal(sourceHash("print(1)"), sourceHash("print(1)"));
  assert.notEqual(sourceHash("print(1)"), sourceHash("print(2)"));
  assert.match(sourceHash(""), /^[0-9a-f]{8}$/);
});

test("decide: none, apply, offer; a link to the block wins", () => {
  assert.equal(decide(null, "h", false), "none");
  assert.equal(decide({ source: "h", edit: "x" }, "h", false), "apply");
  assert.equal(decide({ source: "old", edit: "x" }, "h", false), "offer");
  assert.equal(decide({ source: "h", edit: "x" }, "h", true), "none");
  assert.equal(decide({ source: "old", edit: "x" }, "h", true), "none");
});

test("write, read, forget round-trip; nothing is there before a write", () => {
  const s = new FakeStorage();
  const key = keyOf("/p/", "cell");
  assert.equal(read(s, key), null);
  assert.equal(anyKept(s, "/p/", ["cell", "other"]), false);
  write(s, key, "h", { code: "print(2)" });
  assert.deepEqual(read(s, key), { source: "h", edit: { code: "print(2)" } });
  assert.equal(anyKept(s, "/p/", ["other", "cell"]), true);
  forget(s, key);
  assert.equal(read(s, key), null);
});

test("garbage, missing or forbidden storage reads as nothing and writes quietly", () => {
  const s = new FakeStorage();
  s.setItem(keyOf("/p/", "a"), "{not json");
  s.setItem(keyOf("/p/", "b"), JSON.stringify({ edit: 1 }));
  assert.equal(read(s, keyOf("/p/", "a")), null);
  assert.equal(read(s, keyOf("/p/", "b")), null);
  for (const storage of [forbidden, null, undefined]) {
    assert.equal(read(storage, "k"), null);
    write(storage, "k", "h", 1);
    forget(storage, "k");
    assert.equal(anyKept(storage, "/p/", ["a"]), false);
  }
});
