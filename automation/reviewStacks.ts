// Review stacks: one per git branch, side by side on one host.
import { createHash } from "crypto";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { Ports, portsOfConfig } from "../settings/ports";

export const REVIEW_PREFIX = "review-";
/** Long enough to read, short enough for container names built from it. */
const MAX_STACK_NAME = 48;

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 6);
}

/**
 * The review stack of a branch: `review-<slug>`. The slug keeps lower-case letters, digits and
 * dashes; a branch that had to be changed to fit (slashes, capitals, unicode, length) also gets
 * a hash of its real name, so two branches never share a stack.
 */
export function stackNameForBranch(branch: string): string {
    const trimmed = branch.trim();
    if (trimmed === "") {
        throw new Error("a review stack needs a branch name");
    }
    const slug = trimmed
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        // Each run of other characters becomes one dash, so no two dashes are ever adjacent.
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
    const room = MAX_STACK_NAME - REVIEW_PREFIX.length;
    if (slug === trimmed && slug.length <= room) {
        return `${REVIEW_PREFIX}${slug}`;
    }
    const kept = slug.slice(0, room - 7).replace(/-$/, "");
    return `${REVIEW_PREFIX}${kept ? `${kept}-` : ""}${shortHash(trimmed)}`;
}

export function isReviewStack(name: string): boolean {
    return name.startsWith(REVIEW_PREFIX);
}

/** The ports of one review stack: a block of ten, starting at 10000 + 10 × slot. */
export type ReviewPorts = Ports;

/** Below Nomad's dynamic port range (20000–32000) and the kernel's ephemeral ports. */
const FIRST_PORT = 10000;
export const SLOTS = 1000;

export function portsForSlot(slot: number): ReviewPorts {
    const base = FIRST_PORT + 10 * slot;
    // base + 1 stays free: it is Vault's cluster port.
    return { vaultPort: base, nomadHttpPort: base + 2, nomadRpcPort: base + 3, nomadSerfPort: base + 4, mongoPort: base + 5 };
}

/** A stack's ports from its config; the program's defaults where none is set. */
export function portsOf(config: ConfigMap): ReviewPorts {
    return portsOfConfig((fullKey) => config[fullKey]?.value);
}

export function slotOfPorts(ports: Pick<ReviewPorts, "vaultPort">): number | undefined {
    const slot = (ports.vaultPort - FIRST_PORT) / 10;
    return Number.isInteger(slot) && slot >= 0 && slot < SLOTS ? slot : undefined;
}

/**
 * A slot for a new review stack: the one its name hashes to, or the next free one.
 * Stable for a stack because the driver stores the ports in the stack's config and reuses them.
 */
export function allocateSlot(stackName: string, takenSlots: Iterable<number>): number {
    const taken = new Set(takenSlots);
    const start = parseInt(shortHash(stackName), 16) % SLOTS;
    // Upwards from the start, wrapping around after the last block.
    const slot = Array.from({ length: SLOTS }, (_, i) => (start + i) % SLOTS).find((s) => !taken.has(s));
    if (slot === undefined) {
        throw new Error(`all ${SLOTS} review-stack port blocks are taken; prune old review stacks`);
    }
    return slot;
}
