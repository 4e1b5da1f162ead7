/**
 * Docker healthcheck timing for a service that should answer within `readyTimeoutSeconds`:
 * failures during that start period do not count, so a slow start is not "unhealthy".
 */
export function healthTiming(readyTimeoutSeconds: number) {
    return { interval: "2s", timeout: "5s", retries: 3, startPeriod: `${readyTimeoutSeconds}s` };
}
