// `npm run stack -- <command>`: the Automation API driver. See `npm run stack -- --help`.
import { runCommand } from "./commands";
import { exitWith } from "./exitCodes";
import { interruptSignal, localDriver } from "./localDriver";

void exitWith(runCommand(process.argv.slice(2), localDriver(interruptSignal())));
