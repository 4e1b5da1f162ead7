// consul-template's rewrites of a path on a KV v2 mount: `secret` reads and writes gain data/ after the mount
// (dependency/vault_read.go shimKVv2Path), `secrets` lists gain metadata/ (dependency/vault_list.go shimKvV2ListPath).
// Mount paths are as Vault reports them, with a trailing slash ("secret/").

/**
 * Go's path.Join for the paths these shims build (a mount and more): the parts joined by "/", repeated and trailing
 * slashes removed. (Go also resolves "." and ".." segments; Vault refuses such paths in a request anyway.)
 */
function join(...parts: string[]): string {
    return parts
        .join("/")
        .replace(/\/{2,}/g, "/")
        .replace(/\/$/, "");
}

const trimPrefix = (s: string, prefix: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : s);
const trimSuffix = (s: string, suffix: string) => (s.endsWith(suffix) ? s.slice(0, -suffix.length) : s);

/** The path a `secret` read or write requests on a KV v2 mount; `clientNamespace` is the Vault client's namespace (Enterprise). */
export function shimKvV2Path(rawPath: string, mountPath: string, clientNamespace: string): string {
    if (rawPath === mountPath || rawPath === trimSuffix(mountPath, "/")) {
        return join(mountPath, "data");
    }
    const namespace = clientNamespace.endsWith("/") ? clientNamespace : `${clientNamespace}/`;
    // Vault reports a namespaced mount with the client's namespace in front, which the template's path leaves out.
    // (Upstream also asks the mount path for two slashes, which a shorter namespace in front of it implies.)
    const mount = mountPath.length > namespace.length ? trimPrefix(mountPath, namespace) : mountPath;
    const rest = trimPrefix(rawPath, mount);
    if (["data/", "metadata/", "subkeys/"].some((segment) => rest.startsWith(segment))) {
        return rawPath;
    }
    return join(mount, "data", rest);
}

/** The path a `secrets` list requests on a KV v2 mount. */
export function shimKvV2ListPath(rawPath: string, mountPath: string): string {
    const mount = trimSuffix(mountPath, "/");
    // A prefix test without the slash, as upstream: "secret/metadatafoo" is left alone too.
    if (rawPath.startsWith(join(mount, "metadata"))) {
        return rawPath;
    }
    return join(mount, "metadata", trimPrefix(rawPath, mount));
}
