// The baseline for the program-evaluation figure: the same SDKs, no resources.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";

export const loaded = [docker, pulumi, random, vault].length;
