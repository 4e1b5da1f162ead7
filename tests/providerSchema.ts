// The part of the pulumi-nomad provider's schema that the Nomad binding is checked against, kept in
// tests/fixtures/ so that a clone needs nothing beside it.
import * as fs from "fs";
import * as path from "path";

export const SCHEMA_FIXTURE = path.resolve(__dirname, "fixtures/pulumi-nomad-schema.v2.6.1.json");
/** The workspace's copy of the provider schema the fixture was cut from; a clone does not have it. */
export const SCHEMA_REFERENCE = path.resolve(__dirname, "../../shared/reference/pulumi-nomad-schema.v2.6.1.subset.json");

const SOURCE =
    "pulumi-nomad v2.6.1, provider/cmd/pulumi-resource-nomad/schema.json: the provider's inputs, the resources and types this project may use; descriptions left out";

function withoutProse(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutProse);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                // A property may be named "description" too: only the prose (a string) goes.
                .filter(([key, v]) => !(["description", "deprecationMessage"].includes(key) && typeof v === "string") && key !== "language")
                .map(([key, v]) => [key, withoutProse(v)]),
        );
    }
    return value;
}

/** What the fixture keeps of a provider schema. */
export function schemaFixtureOf(schema: Record<string, any>): Record<string, any> {
    return {
        source: SOURCE,
        provider: { inputProperties: withoutProse(schema.provider.inputProperties) },
        resources: withoutProse(schema.resources),
        types: withoutProse(schema.types),
    };
}

export function readSchemaFixture(): Record<string, any> {
    return JSON.parse(fs.readFileSync(SCHEMA_FIXTURE, "utf8"));
}
