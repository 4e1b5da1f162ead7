// The bench's arithmetic on timings: medians, and figures rounded for the table.

/** The middle value (the upper one of an even count): one slow or lucky run does not move it. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
