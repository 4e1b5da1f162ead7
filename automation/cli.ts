// `npm run stack -- <command>`: the Automation API driver. See `npm run stack -- --help`.
import { runCommand } from "./commands";
import { interruptSignal, localDriver } from "./localDriver";

runCommand(process.argv.slice(2), localDriver(interruptSignal())).then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    },
);
