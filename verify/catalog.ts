// Every check of verify, in the order a task's login goes.
import { agentsCheck, audienceCheck, jwksFromVault } from "./agentChecks";
import { declaredStateCheck, identityCheck, loginCheck } from "./identityChecks";
import { accessorCheck, capabilitiesCheck, collisionsCheck } from "./policyChecks";
import { dbCreds, mongoHealthy, mongoQuery, nomadLeader, nomadToken, vaultHealth } from "./checks";
import { jobCheck } from "./jobChecks";
import { Check } from "./types";

export const CHECKS: Check[] = [
    vaultHealth,
    nomadLeader,
    nomadToken,
    agentsCheck,
    audienceCheck,
    jwksFromVault,
    identityCheck,
    loginCheck,
    declaredStateCheck,
    accessorCheck,
    capabilitiesCheck,
    collisionsCheck,
    jobCheck,
    mongoHealthy,
    mongoQuery,
    dbCreds,
];
