// Every check of verify, in the order a task's login goes.
import { agentsCheck, audienceCheck, jwksFromVault } from "./agentChecks";
import { identityCheck, loginCheck } from "./identityChecks";
import { accessorCheck, capabilitiesCheck, collisionsCheck } from "./policyChecks";
import { dbCreds, mongoHealthy, mongoQuery, nomadLeader, nomadToken, vaultHealth } from "./checks";
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
    accessorCheck,
    capabilitiesCheck,
    collisionsCheck,
    mongoHealthy,
    mongoQuery,
    dbCreds,
];
