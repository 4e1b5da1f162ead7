// Every check of verify, in the order a task's login goes.
import {
    accessorCheck,
    agentsCheck,
    audienceCheck,
    capabilitiesCheck,
    collisionsCheck,
    identityCheck,
    jwksFromVault,
    loginCheck,
} from "./chainChecks";
import { Check, dbCreds, mongoHealthy, mongoQuery, nomadLeader, nomadToken, vaultHealth } from "./checks";

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
