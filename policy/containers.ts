import * as docker from "@pulumi/docker";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export const containersLoopbackOnly: ResourceValidationPolicy = {
    name: "containers-loopback-only",
    description: "Containers publish ports on 127.0.0.1 only, unless the stack opts in with allowPublicPorts.",
    configSchema: { properties: { allowPublicPorts: { type: "boolean", default: false } } },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (args.getConfig<{ allowPublicPorts: boolean }>().allowPublicPorts) {
            return;
        }
        if (container.publishAllPorts) {
            reportViolation(`Container ${container.name} publishes all its ports on every interface.`);
        }
        for (const port of container.ports ?? []) {
            if (port.ip !== "127.0.0.1") {
                reportViolation(
                    `Container ${container.name} publishes port ${port.external ?? port.internal} on ${port.ip ?? "0.0.0.0"}; bind it to 127.0.0.1.`,
                );
            }
        }
    }),
};
