// Loaded by .mocharc.json before the tests. Mocha sets Error.stackTraceLimit to Infinity; under it,
// Node.js 26.10's V8 aborts the process ("Check failed: new_capacity > 0", in FixedArray::RightTrimOrEmpty
// from Isolate::CaptureAndSetErrorStack) while the Pulumi SDK records stacks as the program runs under
// mocks. Node's default limit (10) does not trigger it; 100 frames is more than any failure here needs.
Error.stackTraceLimit = 100;
