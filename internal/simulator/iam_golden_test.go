package simulator_test

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// credentialsGoldenDir is shared with the credential chain's tests: the chain's requests are
// pinned there, and so are the simulator's answers to them, which the chain decodes.
const credentialsGoldenDir = "../credentials/testdata/golden"

// subjectTokenPlaceholder is the subject token in iam_request_token.json. The simulator issues
// its own, so the test puts that one in its place.
const subjectTokenPlaceholder = "golden-subject-token"

func TestIAMAndMetadataMatchGoldenFixtures(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	goldenCaller := simulator.Tenant{AccessKey: "AKGOLDEN", SecretKey: "SKGOLDEN", DomainID: "golden-domain"}
	untrusted := simulator.Tenant{AccessKey: "AKUNTRUSTED", SecretKey: "SKUNTRUSTED", DomainID: "golden-elsewhere"}
	expired := simulator.Tenant{AccessKey: "AKEXPIRED", SecretKey: "SKEXPIRED", DomainID: "golden-domain", SecurityToken: "golden-expired-token", ExpiresAt: clock}
	sim := simulator.New([]simulator.Tenant{goldenCaller, untrusted, expired}, simulator.WithClock(now), simulator.WithSeed(12))
	for _, err := range []error{
		sim.DeclareAgency(simulator.Agency{Name: "coc-operator", DomainID: "golden-target-domain", DomainName: "golden-target", TrustedDomainID: goldenCaller.DomainID}),
		sim.DeclareIdentityProvider(simulator.IdentityProvider{ID: "golden-idp", DomainID: "golden-federated-domain", IDTokens: []string{"golden.id.token"}}),
		sim.DeclareIdentityProvider(simulator.IdentityProvider{ID: "golden-other-idp", DomainID: "golden-federated-domain", IDTokens: []string{"another.id.token"}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	signer := func(tn simulator.Tenant) *hwhttp.Signer {
		return &hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tn.AccessKey, SecretKey: tn.SecretKey, SecurityToken: tn.SecurityToken}, Now: now}
	}
	idp := func(id string) map[string]string { return map[string]string{credentials.HeaderIdpID: id} }
	var subjectToken string
	withSubjectToken := func(body []byte) []byte {
		if !bytes.Contains(body, []byte(subjectTokenPlaceholder)) {
			t.Fatalf("iam_request_token.json no longer holds %q", subjectTokenPlaceholder)
		}
		return bytes.ReplaceAll(body, []byte(subjectTokenPlaceholder), []byte(subjectToken))
	}
	const tokens, idTokens, securityKey = credentials.SecurityTokensPath, credentials.IDTokenPath, credentials.MetadataSecurityKeyPath

	exchange(t, server, credentialsGoldenDir, goldenStep{method: "GET", target: securityKey, status: 404, response: "metadata_response_error_not_found.txt"})
	sim.SetMetadataAccount("golden-ecs-domain")
	for _, step := range []goldenStep{
		{method: "POST", target: tokens, request: "iam_request_assume_role_domain_id.json", signer: signer(goldenCaller), status: 201, response: "iam_response_assume_role_domain_id.json"},
		{method: "POST", target: tokens, request: "iam_request_assume_role_domain_name.json", signer: signer(goldenCaller), status: 201, response: "iam_response_assume_role_domain_name.json"},
		{method: "POST", target: idTokens, request: "iam_request_id_token.json", header: idp("golden-idp"), status: 201, response: "iam_response_id_token.json"},
		{method: "POST", target: tokens, request: "iam_request_token.json", edit: withSubjectToken, status: 201, response: "iam_response_token.json"},
		{method: "GET", target: securityKey, status: 200, response: "metadata_response_securitykey.json"},
		{method: "POST", target: tokens, request: "iam_request_assume_role_domain_id.json", status: 401, response: "iam_response_error_unauthenticated.json"},
		{method: "POST", target: tokens, request: "iam_request_assume_role_domain_id.json", signer: signer(untrusted), status: 403, response: "iam_response_error_untrusted.json"},
		{method: "POST", target: tokens, request: "iam_request_assume_role_domain_id.json", signer: signer(expired), status: 400, response: "iam_response_error_security_token_expired.json"},
		{method: "POST", target: idTokens, request: "iam_request_id_token.json", header: idp("golden-unknown-idp"), status: 400, response: "iam_response_error_unknown_idp.json"},
		{method: "POST", target: idTokens, request: "iam_request_id_token.json", header: idp("golden-other-idp"), status: 401, response: "iam_response_error_id_token_rejected.json"},
		{method: "POST", target: tokens, request: "iam_request_token.json", status: 401, response: "iam_response_error_invalid_token.json"},
	} {
		clock = clock.Add(time.Second)
		header := exchange(t, server, credentialsGoldenDir, step)
		if step.target == idTokens && step.status == 201 {
			if subjectToken = header.Get(credentials.HeaderSubjectToken); subjectToken == "" {
				t.Fatalf("no %s header", credentials.HeaderSubjectToken)
			}
		}
	}
}
