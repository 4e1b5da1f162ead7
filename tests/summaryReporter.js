// mocha's spec reporter, closing with one plain "N passed, N failed" line that CI logs can read.
const { Spec } = require("mocha").reporters;

class SpecWithSummary extends Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once("end", () => {
            const { passes, failures, pending } = runner.stats;
            console.log(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}`);
        });
    }
}

module.exports = SpecWithSummary;
