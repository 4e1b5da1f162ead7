// The project's guardrails, for `pulumi preview --policy-pack policy` and the stack driver.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("vaultnomad-guardrails", { enforcementLevel: "mandatory", policies: POLICIES });
