import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** Pulls `image` for a container. Kept on destroy: every stack on the host shares it. */
export function sharedImage(name: string, image: string, parent: pulumi.Resource): docker.RemoteImage {
    return new docker.RemoteImage(name, { name: image, keepLocally: true }, { parent });
}

/**
 * Container arguments that make `up` wait until the healthcheck `tests` pass, for at most
 * `readyTimeoutSeconds`. Failures within that time do not count, so a slow start is not "unhealthy".
 */
export function waitUntilHealthy(
    tests: string[],
    readyTimeoutSeconds: number,
): Pick<docker.ContainerArgs, "healthcheck" | "wait" | "waitTimeout"> {
    return {
        healthcheck: { tests, interval: "2s", timeout: "5s", retries: 3, startPeriod: `${readyTimeoutSeconds}s` },
        wait: true,
        waitTimeout: readyTimeoutSeconds,
    };
}

/** Options for a container whose name and ports are fixed: the old one must go before its replacement starts. */
export function fixedContainerOptions(parent: pulumi.Resource): pulumi.CustomResourceOptions {
    return { parent, deleteBeforeReplace: true };
}
