// The files of a zip archive (the site's wheel), read in JavaScript: after a snapshot boot,
// Pyodide's unpackArchive spent ~40 ms in Python (zipfile, shutil, a temporary file) on a
// 56 KB wheel; this takes a few. Inflated by the browser's DecompressionStream.
//
// Only what a wheel built by parameter_lab holds is accepted: stored or deflated entries,
// no encryption, no zip64, relative names without "..". Anything else throws, never a
// partial result. What it returns is used only once the archive's bytes matched the lock's
// sha256 (the worker unzips while it hashes, and other bytes may be no zip at all).
//
//   for (const { name, data } of await unzip(bytes)) …   // directories are left out

const EOCD = 0x06054b50; // end of central directory
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

class ZipError extends Error {}

/** [{name, data: Uint8Array}] of the regular files in `bytes` (an ArrayBuffer or a view). */
export async function unzip(bytes) {
  const buf = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (at) => view.getUint16(at, true);
  const u32 = (at) => view.getUint32(at, true);
  const inside = (at, n) => {
    if (at < 0 || n < 0 || at + n > buf.length) throw new ZipError("the archive is truncated");
  };
  // The end record: 22 bytes and a comment of at most 64 KB, at the very end.
  let end = -1;
  for (let at = buf.length - 22; at >= Math.max(0, buf.length - 22 - 0xffff); at--) {
    if (u32(at) === EOCD && at + 22 + u16(at + 20) === buf.length) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new ZipError("not a zip archive");
  const count = u16(end + 10);
  let at = u32(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ZipError("zip64 archives are not supported");
  const entries = [];
  for (let i = 0; i < count; i++) {
    inside(at, 46);
    if (u32(at) !== CENTRAL) throw new ZipError("the central directory is damaged");
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const packed = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const skip = nameLength + u16(at + 30) + u16(at + 32);
    const local = u32(at + 42);
    inside(at + 46, skip);
    const name = new TextDecoder().decode(buf.subarray(at + 46, at + 46 + nameLength));
    at += 46 + skip;
    if (name.endsWith("/")) continue; // a directory: made as its files need it
    if (flags & 1) throw new ZipError(`${name}: encrypted`);
    if (method !== 0 && method !== 8) throw new ZipError(`${name}: compression method ${method}`);
    if (packed === 0xffffffff || size === 0xffffffff) throw new ZipError("zip64 archives are not supported");
    const parts = name.split("/");
    if (name.startsWith("/") || name.includes("\\") || parts.some((p) => p === ".." || p === "" || p === ".")) {
      throw new ZipError(`${name}: not a plain relative path`);
    }
    inside(local, 30);
    if (u32(local) !== LOCAL) throw new ZipError(`${name}: its local header is damaged`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    inside(start, packed);
    entries.push({ name, method, size, packed: buf.subarray(start, start + packed) });
  }
  return Promise.all(
    entries.map(async ({ name, method, size, packed }) => {
      const data = method === 0 ? packed.slice() : await inflate(packed).catch(() => null);
      if (!data || data.length !== size) throw new ZipError(`${name}: its data is damaged`);
      return { name, data };
    }),
  );
}

// Written to the stream directly: a Blob's stream would read the bytes back from the
// browser's blob store, a round trip per file.
async function inflate(packed) {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  writer.write(packed).catch(() => {});
  writer.close().catch(() => {});
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}
