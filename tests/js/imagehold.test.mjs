// The static chart images' hold (runtime/imagehold.js): released once the page has loaded and
// a frame has been drawn, again for each page Material's document$ announces, and at once
// before printing; nothing earlier.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HELD, releaseImages, releaseImagesAfterLoad } from "../../tools/parameter_lab/runtime/imagehold.js";

// A document as far as the hold reads it: its held sources, each removable once.
function fakeDocument(held = 2, readyState = "loading") {
  const doc = { readyState, sources: [], removed: 0 };
  doc.hold = (n) => {
    for (let i = 0; i < n; i++) {
      const source = { remove: () => (doc.sources.splice(doc.sources.indexOf(source), 1), doc.removed++) };
      doc.sources.push(source);
    }
  };
  doc.querySelectorAll = (selector) => {
    assert.equal(selector, HELD);
    return [...doc.sources];
  };
  doc.hold(held);
  return doc;
}

// A window whose frames, tasks, events and document$ run only when the test says so.
function fakeWindow(doc, { material = true } = {}) {
  const listeners = new Map();
  const frames = [];
  const tasks = [];
  const subscribers = [];
  const win = {
    document: doc,
    addEventListener: (type, fn) => listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    requestAnimationFrame: (fn) => frames.push(fn),
    setTimeout: (fn) => tasks.push(fn),
  };
  if (material) win.document$ = { subscribe: (fn) => subscribers.push(fn) };
  const fire = (type) => {
    const fns = listeners.get(type) ?? [];
    if (type === "load") listeners.delete(type); // { once: true }
    for (const fn of fns) fn();
  };
  const drawFrame = () => {
    for (const fn of frames.splice(0)) fn();
    for (const fn of tasks.splice(0)) fn();
  };
  const navigate = () => subscribers.forEach((fn) => fn(doc));
  return { win, fire, drawFrame, navigate, subscribers };
}

test("releaseImages removes every held source under the root", () => {
  const doc = fakeDocument(3);
  releaseImages(doc);
  assert.equal(doc.sources.length, 0);
  assert.equal(doc.removed, 3);
});

test("nothing is released before the load event, nor at it before a frame is drawn", () => {
  const doc = fakeDocument();
  const { win, fire, drawFrame } = fakeWindow(doc);
  releaseImagesAfterLoad(win);
  drawFrame(); // frames drawn while the page loads
  assert.equal(doc.removed, 0);
  fire("load");
  assert.equal(doc.removed, 0, "the frame after the load event is not drawn yet");
  drawFrame();
  assert.equal(doc.removed, 2);
});

test("a page that has loaded already is released after its next frame", () => {
  const doc = fakeDocument(1, "complete");
  const { win, drawFrame } = fakeWindow(doc);
  releaseImagesAfterLoad(win);
  assert.equal(doc.removed, 0);
  drawFrame();
  assert.equal(doc.removed, 1);
});

test("each page an instant navigation draws is released after its frame", () => {
  const doc = fakeDocument();
  const { win, fire, drawFrame, navigate, subscribers } = fakeWindow(doc);
  releaseImagesAfterLoad(win);
  assert.equal(subscribers.length, 0, "document$ is read once the page has loaded");
  fire("load");
  drawFrame();
  doc.hold(2); // the next page's content, drawn by Material
  navigate();
  assert.equal(doc.sources.length, 2);
  drawFrame();
  assert.equal(doc.sources.length, 0);
  assert.equal(doc.removed, 4);
});

test("without Material's document$ the load event alone releases", () => {
  const doc = fakeDocument();
  const { win, fire, drawFrame } = fakeWindow(doc, { material: false });
  releaseImagesAfterLoad(win);
  fire("load");
  drawFrame();
  assert.equal(doc.removed, 2);
});

test("printing releases at once, even before the page has loaded", () => {
  const doc = fakeDocument();
  const { win, fire } = fakeWindow(doc);
  releaseImagesAfterLoad(win);
  fire("beforeprint");
  assert.equal(doc.removed, 2);
});
