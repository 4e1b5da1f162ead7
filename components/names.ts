/** The default JWT role for Nomad workloads, and the name of its templated policy (the tutorial's). */
export const DEFAULT_ROLE = "nomad-workloads";
