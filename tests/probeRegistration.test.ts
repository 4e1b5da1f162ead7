// The probe job's registration when verify cannot reach Nomad over TLS: the cause names verify's own
// CA and client certificate, not Nomad's state.
import * as assert from "assert";
import { createProbe } from "../verify/probe";
import { FakeServer, fakeServer } from "./fakeHttp";
import { FakeStack, startFakeStack, TLS } from "./fakeStack";

describe("verify's probe: a registration refused by TLS", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    let nomad: FakeServer;
    beforeEach(async () => {
        stack = await startFakeStack();
        nomad = await fakeServer(() => ({ status: 200 }), { cert: TLS.serverCert, key: TLS.serverKey });
    });
    afterEach(async () => {
        await nomad.close();
        await stack.close();
    });

    it("names verify's CA and client certificate when Nomad's certificate is not trusted", async () => {
        const target = { ...stack.target(), nomadAddress: nomad.address };
        const identity = await createProbe(target, { audience: "vault.io" }).identity();
        assert.deepStrictEqual(
            [identity.error?.startsWith("registering the probe job: no answer ("), "cause" in identity && identity.cause],
            [
                true,
                "verify cannot make a TLS connection to Nomad: its CA (nomadCaPem) or client certificate (nomadClientCertPem/Key) is missing or wrong.",
            ],
        );
    });
});
