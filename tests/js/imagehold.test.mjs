// The static chart images' hold (runtime/imagehold.js): each chart <img> the parser adds is
// held (an empty SVG of its proportions stands in, its src set aside), and released once the
// page has loaded and a frame has been drawn, or at once before printing; nothing earlier.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dropHold, heldSrc, hold, holdImagesUntilLoaded, placeholder, releaseImages } from "../../tools/parameter_lab/runtime/imagehold.js";

// Elements as far as the hold reads them: attributes, a class list, children.
class Element {
  constructor(name, attrs = {}, children = []) {
    this.localName = name;
    this.nodeType = 1;
    this.attrs = new Map(Object.entries(attrs));
    this.children = children;
  }
  get src() {
    // As a browser resolves it, against the page's address.
    return new URL(this.getAttribute("src"), "https://example.org/site/page/").href;
  }
  get firstElementChild() {
    return this.children[0] ?? null;
  }
  getAttribute(name) {
    return this.attrs.has(name) ? this.attrs.get(name) : null;
  }
  setAttribute(name, value) {
    this.attrs.set(name, String(value));
  }
  hasAttribute(name) {
    return this.attrs.has(name);
  }
  removeAttribute(name) {
    this.attrs.delete(name);
  }
  matches(selector) {
    if (selector === "img.plab-chart-svg") return this.localName === "img" && this.getAttribute("class") === "plab-chart-svg";
    if (selector === "img[data-plab-held]") return this.localName === "img" && this.hasAttribute("data-plab-held");
    throw new Error(`selector not faked: ${selector}`);
  }
  querySelectorAll(selector) {
    const found = [];
    const walk = (el) => el.children.forEach((c) => (c.matches(selector) && found.push(c), walk(c)));
    walk(this);
    return found;
  }
}

const chart = (src = "svg/a.svg", size = { width: "620", height: "384" }) =>
  new Element("img", { class: "plab-chart-svg", src, alt: "a chart", loading: "lazy", ...size });

// A window whose parser, frames, tasks and events run only when the test says so.
function fakeWindow(readyState = "loading") {
  const listeners = { win: new Map(), doc: new Map() };
  const on = (map) => (type, fn) => map.set(type, [...(map.get(type) ?? []), fn]);
  const frames = [];
  const tasks = [];
  const observers = [];
  const body = new Element("body");
  const doc = { readyState, documentElement: new Element("html", {}, [body]), addEventListener: on(listeners.doc) };
  doc.querySelectorAll = (s) => doc.documentElement.querySelectorAll(s);
  class MutationObserver {
    constructor(callback) {
      this.callback = callback;
      this.pending = [];
      this.on = false;
      observers.push(this);
    }
    observe(target, options) {
      assert.equal(target, doc.documentElement);
      assert.deepEqual(options, { childList: true, subtree: true });
      this.on = true;
    }
    takeRecords() {
      return this.pending.splice(0);
    }
    disconnect() {
      this.on = false;
      this.pending = [];
    }
  }
  const win = {
    document: doc,
    MutationObserver,
    addEventListener: on(listeners.win),
    requestAnimationFrame: (fn) => frames.push(fn),
    setTimeout: (fn) => tasks.push(fn),
  };
  const fire = (map, type) => {
    const fns = map.get(type) ?? [];
    map.delete(type); // each listener here is { once: true } or fired once
    for (const fn of fns) fn();
  };
  // The parser adds `node` to the body; observers hear of it at the next microtask checkpoint
  // (`deliver`), which comes before any layout.
  const parse = (node, { deliver = true } = {}) => {
    body.children.push(node);
    for (const o of observers) if (o.on) o.pending.push({ addedNodes: [node] });
    if (deliver) for (const o of observers) if (o.on && o.pending.length) o.callback(o.takeRecords());
  };
  const parsed = () => {
    doc.readyState = "interactive";
    fire(listeners.doc, "DOMContentLoaded");
  };
  const load = () => {
    doc.readyState = "complete";
    fire(listeners.win, "load");
  };
  const drawFrame = () => {
    for (const fn of frames.splice(0)) fn();
    for (const fn of tasks.splice(0)) fn();
  };
  const print = () => (listeners.win.get("beforeprint") ?? []).forEach((fn) => fn());
  return { win, parse, parsed, load, drawFrame, print, observers };
}

const held = (img) => img.hasAttribute("data-plab-held");

test("a held image shows an empty SVG of its proportions, its src set aside resolved", () => {
  const img = chart();
  hold(img);
  const url = "https://example.org/site/page/svg/a.svg"; // released on another page, the same
  assert.equal(img.getAttribute("data-plab-held"), url);
  assert.equal(img.getAttribute("src"), placeholder(img));
  const svg = decodeURIComponent(img.getAttribute("src").replace(/^data:image\/svg\+xml,/, ""));
  assert.equal(svg, "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 620 384'/>");
  hold(img); // held twice: its own src stays set aside
  assert.equal(img.getAttribute("data-plab-held"), url);
  releaseImages({ querySelectorAll: (s) => [img].filter((el) => el.matches(s)) });
  assert.equal(img.getAttribute("src"), url);
  assert.equal(held(img), false);
});

test("an image without a size (no box to keep) or without a src is not held", () => {
  for (const img of [chart("svg/a.svg", {}), chart("svg/a.svg", { width: "620" }), chart("")]) {
    const before = img.getAttribute("src");
    hold(img);
    assert.equal(held(img), false);
    assert.equal(img.getAttribute("src"), before);
  }
});

test("charts the parser adds are held until the page has loaded and drawn a frame", () => {
  const { win, parse, parsed, load, drawFrame } = fakeWindow();
  holdImagesUntilLoaded(win);
  const first = chart("svg/1.svg");
  const nested = chart("svg/2.svg");
  const other = new Element("img", { class: "photo", src: "p.png", width: "1", height: "1" });
  parse(first);
  parse(new Element("div", {}, [new Element("p"), nested])); // a subtree added whole
  parse(other);
  assert.ok(held(first) && held(nested), "held as they are added");
  assert.equal(other.getAttribute("src"), "p.png", "not a chart: left alone");
  const last = chart("svg/3.svg");
  parse(last, { deliver: false }); // added just before the document is parsed
  parsed();
  assert.ok(held(last), "the records still pending at DOMContentLoaded are read");
  drawFrame();
  assert.ok(held(first), "frames while the page loads release nothing");
  load();
  assert.ok(held(first), "nor the load event alone: the frame after it is not drawn yet");
  drawFrame();
  for (const [img, src] of [[first, "svg/1.svg"], [nested, "svg/2.svg"], [last, "svg/3.svg"]]) {
    assert.equal(held(img), false);
    assert.equal(img.getAttribute("src"), `https://example.org/site/page/${src}`);
  }
});

test("once the document is parsed nothing more is held (instant navigation's pages)", () => {
  const { win, parse, parsed, observers } = fakeWindow();
  holdImagesUntilLoaded(win);
  parsed();
  assert.equal(observers[0].on, false, "the observer is disconnected");
  const later = chart();
  parse(later);
  assert.equal(held(later), false);
});

test("a page already loaded holds nothing, and has nothing to release but after a frame", () => {
  const { win, observers, drawFrame } = fakeWindow("complete");
  holdImagesUntilLoaded(win);
  assert.equal(observers.length, 0);
  drawFrame();
});

test("printing releases at once, even while the page loads", () => {
  const { win, parse, print } = fakeWindow();
  holdImagesUntilLoaded(win);
  const img = chart();
  parse(img);
  assert.ok(held(img));
  print();
  assert.equal(held(img), false);
  assert.equal(img.src, "https://example.org/site/page/svg/a.svg");
});

test("a run's image drops the hold, so the release does not put the build's image back", () => {
  const { win, parse, load, drawFrame } = fakeWindow();
  holdImagesUntilLoaded(win);
  const img = chart();
  parse(img);
  dropHold(img);
  img.setAttribute("src", "blob:run");
  load();
  drawFrame();
  assert.equal(img.getAttribute("src"), "blob:run");
});

test("a placeholder the page refuses (no data: images allowed) lets its image go at once", () => {
  const { win, parse } = fakeWindow();
  const errors = [];
  win.document.addEventListener = ((add) => (type, fn, capture) => {
    if (type === "error") errors.push([fn, capture]);
    else add(type, fn, capture);
  })(win.document.addEventListener);
  holdImagesUntilLoaded(win);
  const img = chart();
  const other = chart("svg/b.svg");
  parse(img);
  parse(other);
  assert.equal(errors.length, 1);
  assert.equal(errors[0][1], true, "heard in the capture phase: an image's error does not bubble");
  errors[0][0]({ target: img });
  assert.equal(held(img), false);
  assert.equal(img.src, "https://example.org/site/page/svg/a.svg");
  assert.ok(held(other), "only the image that failed");
  errors[0][0]({ target: new Element("img", { class: "photo", src: "x.png" }) }); // not ours
});

test("heldSrc names the URL a held image will load, and null for any other element", () => {
  const img = chart();
  hold(img);
  assert.equal(heldSrc(img), "https://example.org/site/page/svg/a.svg");
  assert.equal(heldSrc(chart()), null);
  assert.equal(heldSrc({ href: "icon.png" }), null, "a <link> has no getAttribute here");
});
