// Durations as Vault reads them (hashicorp/go-secure-stdlib parseutil.ParseDurationSecond): wrapping TTLs in
// policies, and the operand of `{{time.now.plus.<duration>}}` in templates.

/** Nanoseconds per unit: Go counts in whole nanoseconds. */
const GO_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const GO_DURATION = /^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;

/**
 * Seconds, as go-secure-stdlib's ParseDurationSecond reads a string: whole seconds, `<n>d` days, or a Go
 * duration (`90s`, `1h30m`); undefined when it reads none of them.
 */
export function durationSeconds(value: string): number | undefined {
    if (/^[-+]?\d+$/.test(value)) {
        return Number(value);
    }
    if (/^[-+]?\d+d$/.test(value)) {
        return Number(value.slice(0, -1)) * 86_400;
    }
    if (GO_DURATION.test(value)) {
        const sign = value.startsWith("-") ? -1 : 1;
        const parts = [...value.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)];
        return (sign * parts.reduce((sum, [, n, unit]) => sum + Number(n) * GO_UNITS[unit], 0)) / 1e9;
    }
    return undefined;
}
