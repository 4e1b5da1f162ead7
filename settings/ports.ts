// The ports a demo stack takes on the host: one place for their keys and defaults, which the
// stack driver (review stacks, the free-port check) reads too.
import { CONFIG_KEYS, fq } from "./keys";

export const PORT_KEYS = ["vaultPort", "nomadHttpPort", "nomadRpcPort", "nomadSerfPort", "mongoPort"] as const;
export type PortKey = (typeof PORT_KEYS)[number];
/** Ports by config key, such as { vaultPort: 8200, … }; Vault's cluster port is vaultPort + 1. */
export type Ports = { readonly [K in PortKey]: number };

export const DEFAULT_PORTS: Ports = Object.fromEntries(PORT_KEYS.map((key) => [key, CONFIG_KEYS[key].default])) as Ports;

/** A stack's ports from its config (`{ "vaultnomad:vaultPort": "9200" }`), defaults for those unset. */
export function portsOfConfig(valueOf: (fullKey: string) => string | undefined): Ports {
    return Object.fromEntries(PORT_KEYS.map((key) => [key, Number(valueOf(fq(key)) ?? DEFAULT_PORTS[key])])) as Ports;
}
