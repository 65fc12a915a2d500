// Temml for the build (parameter_lab.formulas): reads one JSON array of [tex, displayMode]
// per line on stdin, and answers each line with one JSON array of {html} or {error}.
// Temml writes MathML Core: \mathbf and \mathbb become Unicode math letters, which Chromium
// draws, where KaTeX's MathML keeps mathvariant attributes that MathML Core ignores.
//
//   node render_math.cjs <path of temml.cjs>
const temml = require(process.argv[2]);
const options = { throwOnError: true, annotate: false };
const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const out = JSON.parse(line).map(([tex, displayMode]) => {
    try {
      return { html: temml.renderToString(tex, { ...options, displayMode }) };
    } catch (err) {
      return { error: String(err.message || err) };
    }
  });
  process.stdout.write(JSON.stringify(out) + "\n");
});
