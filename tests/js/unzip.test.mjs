// node --test: the wheel's unzip. Stored and deflated files come back byte for byte, in
// folders, directories left out; anything a wheel of ours never holds, or a damaged
// archive, throws instead of giving part of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { unzip } from "../../tools/parameter_lab/runtime/unzip.js";

const text = (s) => new TextEncoder().encode(s);

/** A zip as Python's zipfile writes one: local headers and data, the central directory,
 * the end record. files: [{name, data, method (0 stored, 8 deflated), flags?}] */
function zip(files, { comment = "" } = {}) {
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const { name, data, method = 8, flags = 0 } of files) {
    const packed = method === 8 ? new Uint8Array(deflateRawSync(data)) : data;
    const nameBytes = text(name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, method, true);
    local.setUint32(18, packed.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(8, flags, true);
    entry.setUint16(10, method, true);
    entry.setUint32(20, packed.length, true);
    entry.setUint32(24, data.length, true);
    entry.setUint16(28, nameBytes.length, true);
    entry.setUint32(42, offset, true);
    chunks.push(new Uint8Array(local.buffer), nameBytes, packed);
    central.push(new Uint8Array(entry.buffer), nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const size = central.reduce((n, c) => n + c.length, 0);
  const commentBytes = text(comment);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  end.setUint16(20, commentBytes.length, true);
  const all = [...chunks, ...central, new Uint8Array(end.buffer), commentBytes];
  const out = new Uint8Array(all.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const big = text("def f(x):\n    return x * 2\n".repeat(500));

test("stored and deflated files come back byte for byte, directories left out", async () => {
  const archive = zip([
    { name: "demos/", data: new Uint8Array(0), method: 0 },
    { name: "demos/__init__.py", data: text(""), method: 8 },
    { name: "demos/params.py", data: big },
    { name: "demos/data/corpus_ja.txt", data: text("日本語のコーパス\n") },
    { name: "plab_runner.py", data: text("print('hi')\n"), method: 0 },
  ]);
  const files = await unzip(archive.buffer); // an ArrayBuffer, as a fetch gives
  assert.deepEqual(
    files.map((f) => f.name),
    ["demos/__init__.py", "demos/params.py", "demos/data/corpus_ja.txt", "plab_runner.py"],
  );
  assert.deepEqual(files[1].data, big);
  assert.equal(new TextDecoder().decode(files[2].data), "日本語のコーパス\n");
  assert.equal(new TextDecoder().decode(files[3].data), "print('hi')\n");
  assert.equal(files[0].data.length, 0);
});

test("a view into a larger buffer and an archive comment are read right", async () => {
  const archive = zip([{ name: "a.py", data: big }], { comment: "made by a test" });
  const padded = new Uint8Array(archive.length + 7);
  padded.set(archive, 3);
  const [file] = await unzip(padded.subarray(3, 3 + archive.length));
  assert.deepEqual(file.data, big);
});

test("a damaged or truncated archive throws", async () => {
  const archive = zip([{ name: "a.py", data: big }]);
  await assert.rejects(unzip(archive.subarray(0, archive.length - 5)), /not a zip archive/);
  await assert.rejects(unzip(text("PK but not a zip at all, long enough to search")), /not a zip archive/);
  const flipped = archive.slice();
  flipped[40] ^= 0xff; // inside the deflated data
  await assert.rejects(unzip(flipped), /a\.py: its data is damaged/);
  const badLocal = archive.slice();
  badLocal[0] = 0; // the local header's signature
  await assert.rejects(unzip(badLocal), /a\.py: its local header is damaged/);
});

test("what a wheel of ours never holds throws instead of being written", async () => {
  for (const [name, pattern] of [
    ["../evil.py", /not a plain relative path/],
    ["/etc/evil.py", /not a plain relative path/],
    ["demos/../../evil.py", /not a plain relative path/],
  ]) {
    await assert.rejects(unzip(zip([{ name, data: text("x") }])), pattern);
  }
  await assert.rejects(unzip(zip([{ name: "a.py", data: text("x"), flags: 1 }])), /a\.py: encrypted/);
  const bzip = zip([{ name: "a.py", data: text("x"), method: 0 }]);
  // method 12 (bzip2), in the local header and the central directory alike
  const view = new DataView(bzip.buffer);
  view.setUint16(8, 12, true);
  const central = bzip.length - 22 - (46 + 4);
  view.setUint16(central + 10, 12, true);
  await assert.rejects(unzip(bzip), /a\.py: compression method 12/);
});
