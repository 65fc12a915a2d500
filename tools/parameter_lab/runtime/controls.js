// The browser's one registry of control types (the build's is parameter_lab/controls.py).
//
// A demo keeps each control's exact value as its state; an element only shows it. So an
// untouched control is exactly the author's default, a log slider's position is only a
// picture of its value, and a value from a link is kept as the link says. Each type says:
//   event      the DOM event that means "the reader changed it"
//   delay      ms to wait for more typing before running (text and number fields)
//   read       the value the reader set in the element (undefined: nothing usable yet)
//   write      show a value in the element
//   changed    whether the element differs from its markup (touched before the script ran)
//   parse      a value from URL text (undefined: not a value of this control)
//   format     a value as URL text
//   display    a value as the slider's <output> shows it (Python's str(), as the build does)
// Functions take element-like objects ({value, checked, selectedIndex, …}), so they run
// under node --test without a DOM.

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/** Decimal places needed to write `x` exactly (0.01 → 2, 256 → 0), at most 12. */
export function decimalsOf(x) {
  for (let d = 0; d < 12; d++) if (Number(x.toFixed(d)) === x) return d;
  return 12;
}

/** A linear slider's raw value on its grid: no 0.1 + 0.2 noise, integers stay integers. */
export function onGrid(x, c) {
  if (c.integer) return Math.round(x);
  const digits = Math.max(decimalsOf(c.step), decimalsOf(c.min));
  return Number(x.toFixed(digits));
}

/** The log-slider position whose value is nearest `value` (in log space: ratios matter). */
export function nearestPosition(positions, value) {
  let best = 0;
  let bestDistance = Infinity;
  positions.forEach((p, i) => {
    const distance = Math.abs(Math.log(p / value));
    if (distance < bestDistance) [best, bestDistance] = [i, distance];
  });
  return best;
}

function parseNumber(text, c) {
  if (typeof text !== "string" || !text.trim()) return undefined;
  const x = Number(text);
  if (!Number.isFinite(x)) return undefined;
  const v = clamp(x, c.min, c.max);
  return c.integer ? Math.round(v) : v;
}

const numberText = (value) => String(value);

/** Python's repr()/str() of a float: shortest round-trip digits, Python's exponent rules. */
export function pyFloat(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = x.toExponential().split("e"); // shortest digits that round-trip
  const exp = Number(e);
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function pyString(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0);
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      const hex = code.toString(16);
      out += code < 0x100 ? `\\x${hex.padStart(2, "0")}`
        : code < 0x10000 ? `\\u${hex.padStart(4, "0")}` : `\\U${hex.padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's repr() of a control value; `float` writes numbers as Python floats. */
export function pyRepr(value, float = false) {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return float || !Number.isInteger(value) ? pyFloat(value) : String(value);
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v)).join(", ")}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyRepr(v)}`).join(", ")}}`;
}

/** A control's value as JSON for Python: a non-integer number control always sends a float,
 * so Python gets the type the build used (0.0, not 0). */
function toJson(value, c) {
  if (typeof value !== "number" || !("integer" in c)) return JSON.stringify(value);
  if (c.integer) return String(Math.round(value));
  const text = JSON.stringify(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export const CONTROL_TYPES = {
  slider: {
    event: "input",
    delay: 0,
    read: (el, c) =>
      c.scale === "log"
        ? c.positions[clamp(Math.round(Number(el.value)), 0, c.positions.length - 1)]
        : onGrid(Number(el.value), c),
    write(el, c, value) {
      // A log thumb moves to the nearest position; a linear one the browser snaps to its step.
      el.value = String(c.scale === "log" ? nearestPosition(c.positions, value) : value);
      el.setAttribute?.("aria-valuetext", displayOf(value, c));
    },
    changed: (el) => Number(el.value) !== Number(el.defaultValue), // "0.0" equals "0"
    parse: parseNumber,
    format: numberText,
  },
  number: {
    event: "input",
    delay: 400,
    read(el, c) {
      if (el.value === "" || !Number.isFinite(Number(el.value))) return undefined; // mid-typing
      return c.integer ? Math.round(Number(el.value)) : Number(el.value);
    },
    write(el, c, value) {
      el.value = String(value);
    },
    changed: (el) => el.value !== "" && Number(el.value) !== Number(el.defaultValue),
    parse: parseNumber,
    format: numberText,
  },
  select: {
    event: "change",
    delay: 0,
    read: (el, c) => c.options[el.selectedIndex]?.value,
    write(el, c, value) {
      const i = c.options.findIndex((o) => sameValue(o.value, value));
      if (i >= 0) el.selectedIndex = i;
    },
    changed: (el) => [...el.options].some((o) => o.selected !== o.defaultSelected),
    // A link writes a text option as is and any other value as JSON (prose.scenario_href).
    parse(text, c) {
      const exact = c.options.find((o) => typeof o.value === "string" && o.value === text);
      if (exact) return exact.value;
      return c.options.find((o) => JSON.stringify(o.value) === text)?.value;
    },
    format: (value) => (typeof value === "string" ? value : JSON.stringify(value)),
  },
  text: {
    event: "input",
    delay: 400,
    read: (el) => el.value,
    write(el, c, value) {
      el.value = value;
    },
    changed: (el) => el.value !== el.defaultValue,
    parse: (text) => (typeof text === "string" ? text : undefined),
    format: (value) => value,
  },
  checkbox: {
    event: "change",
    delay: 0,
    read: (el) => el.checked,
    write(el, c, value) {
      el.checked = Boolean(value);
    },
    changed: (el) => el.checked !== el.defaultChecked,
    parse: (text) => (text === "true" ? true : text === "false" ? false : undefined),
    format: (value) => String(Boolean(value)),
  },
};

export const typeOf = (c) => CONTROL_TYPES[c.type] ?? CONTROL_TYPES.text;

/** What a slider's <output> shows: what the build writes (Python's str of the value). */
export function displayOf(value, c) {
  if (typeof value !== "number") return String(value);
  return c.integer ? String(Math.round(value)) : pyFloat(value);
}

/** The author's defaults: the exact values of untouched controls. */
export const defaultsOf = (controls) => Object.fromEntries(controls.map((c) => [c.name, c.value]));

/** Keyword arguments as JSON text for the runner, typed as the build typed them. */
export function kwargsJson(controls, values) {
  const parts = controls.map((c) => `${JSON.stringify(c.name)}: ${toJson(values[c.name], c)}`);
  return `{${parts.join(", ")}}`;
}

/** The Python a demo runs, as the build writes it (parameter_lab.render.demo_call_source). */
export function callSource(spec, values) {
  const args = spec.controls
    .map((c) => `${c.name}=${pyRepr(values[c.name], typeof values[c.name] === "number" && c.integer === false)}`)
    .join(", ");
  return `from ${spec.module} import ${spec.function}\n\nresult = ${spec.function}(${args})\n`;
}

/** Values from URL text ({name: text}); what is missing or not a value of its control is
 * left out, so the caller keeps the default. */
export function parseValues(controls, texts) {
  const values = {};
  for (const c of controls) {
    if (!Object.hasOwn(texts, c.name)) continue;
    const value = typeOf(c).parse(texts[c.name], c);
    if (value !== undefined) values[c.name] = value;
  }
  return values;
}

/** [name, text] pairs for a URL: only the controls whose value differs from the default. */
export function formatValues(controls, values) {
  return controls
    .filter((c) => Object.hasOwn(values, c.name) && !sameValue(values[c.name], c.value))
    .map((c) => [c.name, typeOf(c).format(values[c.name], c)]);
}
