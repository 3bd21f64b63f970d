// Sums the outcome counters of every .trx file (and Pester's pester.json) under a folder and prints one closing line:
// "N passed, N failed, N skipped". Exits 1 when no test ran, so an empty run never looks green.
const fs = require('fs');
const path = require('path');
const folder = process.argv[2];
let passed = 0, failed = 0, skipped = 0, files = 0;
const walk = dir => fs.readdirSync(dir, { withFileTypes: true }).forEach(entry => {
  const full = path.join(dir, entry.name);
  if (entry.isDirectory()) return walk(full);
  if (entry.name === 'pester.json') {
    // Pester's counts (.ci/pester.ps1), added to dotnet test's.
    const pester = JSON.parse(fs.readFileSync(full, 'utf8').replace(/^\uFEFF/, ''));
    passed += pester.passed; failed += pester.failed; skipped += pester.skipped;
    return;
  }
  if (!entry.name.endsWith('.trx')) return;
  files++;
  const counters = /<Counters\s+([^>]*)\/>/.exec(fs.readFileSync(full, 'utf8'));
  if (!counters) return;
  const value = name => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(counters[1]) || [0, 0])[1]);
  passed += value('passed');
  failed += value('failed') + value('error') + value('timeout') + value('aborted');
  skipped += value('notExecuted') + value('inconclusive');
});
walk(folder);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (files === 0 || passed + failed === 0) {
  console.error('No test results were found: the run executed no test.');
  process.exit(1);
}
