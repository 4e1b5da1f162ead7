// Who holds a stack's lock in a file backend, and whether that holder still runs.
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import { PROJECT } from "../settings";
import { Probes } from "./preflight";

/**
 * One lock file, `.pulumi/locks/<org>/<project>/<stack>/<uuid>.json`, as the CLI writes it:
 * `{"pid":…,"username":…,"hostname":…,"timestamp":…}` (pulumi/pulumi pkg/backend/diy/lock.go).
 */
export interface StackLock {
    readonly file: string;
    readonly pid: number;
    readonly username: string;
    readonly hostname: string;
    readonly timestamp: string;
}

/** The locks on a stack, when its state is in a file backend; none for any other backend. */
export function stackLocks(backendUrl: string | undefined, stack: string): StackLock[] {
    if (!backendUrl?.startsWith("file://")) {
        return [];
    }
    const locksDir = path.join(fileURLToPath(backendUrl.split("?")[0]), ".pulumi", "locks");
    return entries(locksDir).flatMap((org) => {
        const dir = path.join(locksDir, org, PROJECT, stack);
        return entries(dir)
            .filter((f) => f.endsWith(".json"))
            .flatMap((f) => readLock(path.join(dir, f)));
    });
}

function entries(dir: string): string[] {
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

function readLock(file: string): StackLock[] {
    try {
        return [{ file, ...JSON.parse(fs.readFileSync(file, "utf8")) }];
    } catch {
        // Released meanwhile, or half written: it says nothing about a holder.
        return [];
    }
}

/** What the user can do about each lock: wait for a live holder, or clear a dead one's. */
export function describeLocks(locks: StackLock[], stack: string, backendUrl: string | undefined, probes: Probes): string[] {
    const clear = `PULUMI_BACKEND_URL='${backendUrl}' pulumi cancel --stack ${stack} --yes`;
    return locks.map((lock) => {
        const who = `${lock.username}@${lock.hostname} (pid ${lock.pid}) since ${lock.timestamp}`;
        if (lock.hostname !== probes.hostname) {
            return `Locked by ${who}, on another host: this one cannot tell whether it still runs. If it does not, \`${clear}\` clears the lock.`;
        }
        if (probes.processAlive(lock.pid)) {
            return `Locked by ${who}, which is still running on this host: wait for it to finish.`;
        }
        return `Stale lock: ${who}, but pid ${lock.pid} no longer runs on this host. \`${clear}\` clears it.`;
    });
}
