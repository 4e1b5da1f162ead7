import * as fs from "fs";
import * as path from "path";

/** The project's root folder: asset and job paths are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Reads a file shipped with the project, such as "jobs/mongo.nomad.hcl". */
export function readProjectFile(relativePath: string): string {
    return fs.readFileSync(path.join(PROJECT_ROOT, relativePath), "utf8");
}

/**
 * Replaces each placeholder (a whole word such as AUTH_METHOD_ACCESSOR) with its value.
 * A placeholder missing from the template is an error: a renamed placeholder must not
 * silently leave its value out.
 */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
    let rendered = template;
    for (const [placeholder, value] of Object.entries(values)) {
        const pattern = new RegExp(`\\b${placeholder}\\b`, "g");
        if (!pattern.test(rendered)) {
            throw new Error(`template has no placeholder ${placeholder}`);
        }
        rendered = rendered.replace(pattern, () => String(value));
    }
    return rendered;
}
