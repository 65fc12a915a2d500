// node --test: the control registry. Slider scales land exactly on the author's default and
// on every value a link names; URL text round-trips; Python sees the types the build used.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CONTROL_TYPES, callSource, decimalsOf, defaultsOf, displayOf, formatValues, kwargsJson,
  nearestPosition, onGrid, parseValues, pyFloat, pyRepr,
} from "../../tools/parameter_lab/runtime/controls.js";

// Positions as the build makes them (parameter_lab.controls.log_positions): round numbers
// along a log scale, plus min, max and the default itself.
function logPositions(lo, hi, value, integer, n = 200) {
  const points = new Set([lo, hi, value]);
  for (let i = 0; i <= n; i++) {
    const x = Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / n);
    const p = integer ? Math.round(x) : Number(x.toPrecision(2));
    if (p >= lo && p <= hi) points.add(p);
  }
  return [...points].sort((a, b) => a - b);
}

const LOG_SLIDERS = [
  // The two: 0.05 came back as 0.0498, 4096 as 4085.
  { name: "lr", type: "slider", scale: "log", min: 0.0001, max: 5, value: 0.05, integer: false, step: 0.05 },
  { name: "context", type: "slider", scale: "log", min: 256, max: 131072, value: 4096, integer: true, step: 1 },
  { name: "temperature", type: "slider", scale: "log", min: 0.1, max: 10, value: 1.0, integer: false, step: 0.1 },
  { name: "lora_rank", type: "slider", scale: "log", min: 1, max: 256, value: 8, integer: true, step: 1 },
].map((c) => ({ ...c, positions: logPositions(c.min, c.max, c.value, c.integer) }));

// An element-like object, as the registry sees an <input>.
const input = (value) => ({ value: String(value), defaultValue: String(value), attrs: {}, setAttribute(k, v) { this.attrs[k] = v; } });
const slider = CONTROL_TYPES.slider;

test("a log slider shows the author's default at its markup position and reads it back exactly", () => {
  for (const c of LOG_SLIDERS) {
    const el = input(0);
    slider.write(el, c, c.value);
    assert.equal(c.positions[Number(el.value)], c.value, c.name);
    assert.equal(slider.read(el, c), c.value, c.name);
    assert.equal(el.attrs["aria-valuetext"], displayOf(c.value, c));
  }
});

test("every log position reads back as exactly its value", () => {
  for (const c of LOG_SLIDERS) {
    c.positions.forEach((p, i) => {
      const el = input(i);
      assert.equal(slider.read(el, c), p);
      slider.write(el, c, p);
      assert.equal(el.value, String(i));
    });
  }
});

test("a value between positions moves the thumb to the nearest position in log space", () => {
  const c = { positions: [1, 10, 100] };
  assert.equal(nearestPosition(c.positions, 3), 0); // log10(3)=0.48 is nearer 0 than 1
  assert.equal(nearestPosition(c.positions, 4), 1);
  assert.equal(nearestPosition(c.positions, 1000), 2);
  assert.equal(nearestPosition(c.positions, 0.001), 0);
});

test("a log slider's position out of range reads the nearest end, never undefined", () => {
  const c = LOG_SLIDERS[0];
  assert.equal(slider.read(input(-3), c), c.min);
  assert.equal(slider.read(input(99999), c), c.max);
});

test("linear sliders: values on the step's grid, without floating-point noise", () => {
  const c = { type: "slider", scale: "linear", min: 0, max: 1, step: 0.1, integer: false, value: 0.3 };
  assert.equal(slider.read(input("0.30000000000000004"), c), 0.3);
  assert.equal(onGrid(0.1 + 0.2, c), 0.3);
  const w = { type: "slider", scale: "linear", min: -5, max: 5, step: 0.1, integer: false, value: -2 };
  for (let k = 0; k <= 100; k++) {
    const raw = -5 + k * 0.1; // what a browser may compute for the k-th step
    assert.equal(slider.read(input(raw), w), Number((-5 + k / 10).toFixed(1)));
  }
  const ints = { type: "slider", scale: "linear", min: 0, max: 16384, step: 256, integer: true, value: 0 };
  assert.equal(slider.read(input("4095.9999"), ints), 4096);
  assert.equal(decimalsOf(0.001), 3);
  assert.equal(decimalsOf(256), 0);
  assert.equal(decimalsOf(0.05), 2);
});

test("a number from a link is kept exactly, clamped into range, rounded only for integers", () => {
  const c = { type: "slider", scale: "log", min: 0.0001, max: 5, integer: false, value: 0.05 };
  assert.equal(slider.parse("0.0123456", c), 0.0123456);
  assert.equal(slider.parse("1e-3", c), 0.001);
  assert.equal(slider.parse("50", c), 5);
  assert.equal(slider.parse("0", c), 0.0001);
  for (const bad of ["", " ", "abc", "NaN", "Infinity", "0x", "1,5"]) assert.equal(slider.parse(bad, c), undefined, bad);
  const n = { type: "number", min: 0, max: 9999, integer: true, value: 3 };
  assert.equal(CONTROL_TYPES.number.parse("41.6", n), 42);
});

test("untouched controls are exactly the author's defaults", () => {
  const controls = [...LOG_SLIDERS, { name: "on", type: "checkbox", value: false }];
  const values = defaultsOf(controls);
  assert.deepEqual(values, { lr: 0.05, context: 4096, temperature: 1.0, lora_rank: 8, on: false });
  assert.deepEqual(formatValues(controls, values), [], "defaults need no URL text");
});

test("every type's URL text round-trips exactly", () => {
  const controls = [
    { name: "lr", type: "slider", scale: "log", min: 0.0001, max: 5, value: 0.05, integer: false, positions: [0.0001, 0.05, 5] },
    { name: "steps", type: "slider", scale: "linear", min: 1, max: 200, step: 1, value: 50, integer: true },
    { name: "seed", type: "number", min: 0, max: 9999, step: 1, value: 3, integer: true },
    { name: "preset", type: "select", value: "gpt2", options: [{ value: "gpt2", label: "GPT-2" }, { value: "a&b=c", label: "odd" }] },
    { name: "heads", type: "select", value: 4, options: [1, 2, 4, 8].map((v) => ({ value: v, label: String(v) })) },
    { name: "text", type: "text", value: "" },
    { name: "causal", type: "checkbox", value: false },
  ];
  const values = { lr: 0.0123456, steps: 120, seed: 9999, preset: "a&b=c", heads: 8, text: "A&B=1 100%\n改行 + 🙂 #x", causal: true };
  const pairs = formatValues(controls, values);
  assert.equal(pairs.length, 7);
  assert.deepEqual(parseValues(controls, Object.fromEntries(pairs)), values);
});

test("select: text options match as written, others by JSON; unknown values are ignored", () => {
  const c = { type: "select", options: [{ value: "1" }, { value: 2 }, { value: true }] };
  assert.equal(CONTROL_TYPES.select.parse("1", c), "1");
  assert.equal(CONTROL_TYPES.select.parse("2", c), 2);
  assert.equal(CONTROL_TYPES.select.parse("true", c), true);
  assert.equal(CONTROL_TYPES.select.parse("3", c), undefined);
  const el = { selectedIndex: 0 };
  CONTROL_TYPES.select.write(el, c, 2);
  assert.equal(el.selectedIndex, 1);
  assert.equal(CONTROL_TYPES.select.read(el, c), 2);
  CONTROL_TYPES.select.write(el, c, "nope");
  assert.equal(el.selectedIndex, 1, "a value that is no option leaves the choice as it was");
});

test("checkbox and text parse only their own values", () => {
  assert.equal(CONTROL_TYPES.checkbox.parse("true"), true);
  assert.equal(CONTROL_TYPES.checkbox.parse("false"), false);
  assert.equal(CONTROL_TYPES.checkbox.parse("yes"), undefined);
  assert.equal(CONTROL_TYPES.text.parse(""), "");
});

test("parseValues skips unknown names and bad values, so those controls keep their defaults", () => {
  const controls = [{ name: "a", type: "slider", min: 0, max: 1, value: 0.5, integer: false, step: 0.1 }];
  assert.deepEqual(parseValues(controls, { a: "oops", b: "1", __proto__: "x" }), {});
  assert.deepEqual(parseValues(controls, { a: "0.25" }), { a: 0.25 });
});

test("changed-from-markup compares numbers by value and the rest by text", () => {
  assert.equal(slider.changed({ value: "0", defaultValue: "0.0" }), false);
  assert.equal(slider.changed({ value: "3", defaultValue: "2" }), true);
  assert.equal(CONTROL_TYPES.number.changed({ value: "", defaultValue: "3" }), false);
  assert.equal(CONTROL_TYPES.text.changed({ value: "x", defaultValue: "" }), true);
  assert.equal(CONTROL_TYPES.checkbox.changed({ checked: true, defaultChecked: false }), true);
  const options = [{ selected: true, defaultSelected: true }, { selected: false, defaultSelected: false }];
  assert.equal(CONTROL_TYPES.select.changed({ options }), false);
});

test("kwargs keep Python's types: floats stay floats, integers stay integers", () => {
  const controls = [
    { name: "l2", type: "slider", min: 0, max: 0.1, value: 0.0, step: 0.001, integer: false },
    { name: "temperature", type: "slider", min: 0.1, max: 10, value: 1.0, integer: false },
    { name: "steps", type: "slider", min: 1, max: 200, value: 50, integer: true },
    { name: "heads", type: "select", value: 4, options: [{ value: 4 }] },
    { name: "text", type: "text", value: "猫\"" },
    { name: "causal", type: "checkbox", value: false },
  ];
  const json = kwargsJson(controls, defaultsOf(controls));
  assert.equal(json, '{"l2": 0.0, "temperature": 1.0, "steps": 50, "heads": 4, "text": "猫\\"", "causal": false}');
  assert.deepEqual(JSON.parse(json), defaultsOf(controls));
  assert.equal(kwargsJson([controls[0]], { l2: 1e-7 }), '{"l2": 1e-7}');
});

test("pyFloat writes floats exactly as Python's repr does", () => {
  // From CPython: [[v, repr(v)] for v in ...]
  const vectors = [[0.05, "0.05"], [0.1, "0.1"], [1.0, "1.0"], [0.0, "0.0"], [-0.0, "-0.0"], [1e-05, "1e-05"], [0.0001, "0.0001"], [0.00012345, "0.00012345"], [123456789012345.6, "123456789012345.6"], [1e+16, "1e+16"], [1.5e+16, "1.5e+16"], [2.5e-07, "2.5e-07"], [4096.0, "4096.0"], [-3.25, "-3.25"], [0.30000000000000004, "0.30000000000000004"], [1e+22, "1e+22"], [5e-324, "5e-324"], [1.7976931348623157e+308, "1.7976931348623157e+308"], [100.0, "100.0"], [0.001, "0.001"]];
  for (const [v, repr] of vectors) assert.equal(pyFloat(v), repr, String(v));
});

test("pyRepr writes strings and other values as Python's repr does", () => {
  const vectors = [["", "''"], ["a", "'a'"], ["it's", "\"it's\""], ["say \"hi\"", "'say \"hi\"'"], ["both ' and \"", "'both \\' and \"'"], ["back\\slash", "'back\\\\slash'"], ["tab\tnew\nline\r", "'tab\\tnew\\nline\\r'"], ["\u0000\u001f\u007f", "'\\x00\\x1f\\x7f'"], ["\u65e5\u672c\u8a9e", "'\u65e5\u672c\u8a9e'"], ["\u200b", "'\\u200b'"], ["\u3000", "'\\u3000'"], ["emoji \ud83d\ude42", "'emoji \ud83d\ude42'"], ["\u00a0", "'\\xa0'"], ["\u00ad", "'\\xad'"]];
  for (const [s, repr] of vectors) assert.equal(pyRepr(s), repr, JSON.stringify(s));
  assert.equal(pyRepr(true), "True");
  assert.equal(pyRepr(null), "None");
  assert.equal(pyRepr(4), "4");
  assert.equal(pyRepr(4, true), "4.0");
  assert.equal(pyRepr([1, "a"]), "[1, 'a']");
});

test("the call source matches the build's demo_call_source for the defaults", () => {
  const spec = {
    module: "demos.params", function: "run",
    controls: [
      { name: "preset", type: "select", value: "llama-2-7b", options: [{ value: "llama-2-7b" }] },
      { name: "config_json", type: "text", value: "" },
      { name: "context", type: "slider", scale: "log", min: 256, max: 131072, value: 4096, integer: true },
      { name: "lr", type: "slider", scale: "log", min: 0.0001, max: 5, value: 0.05, integer: false },
      { name: "l2", type: "slider", min: 0, max: 0.1, value: 0, integer: false },
    ],
  };
  assert.equal(
    callSource(spec, defaultsOf(spec.controls)),
    "from demos.params import run\n\nresult = run(preset='llama-2-7b', config_json='', context=4096, lr=0.05, l2=0.0)\n",
  );
});

test("the slider's output shows what the build shows (Python's str)", () => {
  assert.equal(displayOf(0.05, { integer: false }), "0.05");
  assert.equal(displayOf(1, { integer: false }), "1.0");
  assert.equal(displayOf(4096, { integer: true }), "4096");
});
