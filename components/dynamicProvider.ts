import * as pulumi from "@pulumi/pulumi";

/**
 * A dynamic provider whose implementation is the `provider` export of a plain-JS module of the
 * project, loaded when a method runs. Pulumi serialises the provider's closure on every preview
 * and up; this one captures only the module's path, so it serialises fast, whatever the module holds.
 * Pulumi's dynamic-provider plugin runs the serialised code with plain Node in the project folder,
 * so the path is resolved from there (it cannot load TypeScript). Each method loads the module
 * itself: a shared helper would be one more function to serialise.
 */
export function providerFromModule(projectRelativeFile: string): pulumi.dynamic.ResourceProvider {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return {
        create: (inputs) => require(require("path").resolve(projectRelativeFile)).provider.create(inputs),
        diff: (id, olds, news) => require(require("path").resolve(projectRelativeFile)).provider.diff(id, olds, news),
        update: (id, olds, news) => require(require("path").resolve(projectRelativeFile)).provider.update(id, olds, news),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
}
