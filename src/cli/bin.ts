// The `itool` executable (dist/cli.js). `check` and `reward` — the commands scripts and trainers
// run over and over — load a bundle of the checker alone (dist/itool-check.js, about a seventh of
// the whole CLI: loading the whole one took longer than checking a BFCL category); every other
// command loads the whole CLI (dist/itool-main.js). The two are resolved beside this file at run
// time (scripts/build.mjs keeps them out of this bundle).
const command = process.argv[2];
const bundle = command === 'check' || command === 'reward' ? './itool-check.js' : './itool-main.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require(bundle) as { run(argv: string[]): void }).run(process.argv.slice(2));
