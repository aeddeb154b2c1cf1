package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// IAM and metadata calls are in the request log, by path, and faults reach them, answering in
// their services' words.
func TestFaultsAndTheRequestLogCoverIAMAndMetadata(t *testing.T) {
	e := newIAMEnv(t)
	e.sim.SetMetadataAccount("target")
	assume := assumeRoleBody("coc-operator", "domain_id", "target", 0)
	for _, f := range []simulator.Fault{
		{PathPrefix: credentials.SecurityTokensPath, Status: 503, Times: 1},
		{PathPrefix: "/v3.0/", Status: 429, RetryAfter: 2, Times: 1},
		{PathPrefix: credentials.IDTokenPath, Status: 400, Echo: true, Times: 1},
		{PathPrefix: credentials.MetadataSecurityKeyPath, Status: 500, Times: 1},
	} {
		if err := e.sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []struct {
		status  int
		code    string
		retryIn string
	}{{503, "IAM.0006", ""}, {429, "IAM.0012", "2"}} {
		answer := e.assumeRole(t, caller, assume)
		if got := answer.iamError(t); answer.status != want.status || got.Code != want.code || answer.header.Get("Retry-After") != want.retryIn {
			t.Fatalf("want an injected %d %s, got %d %s", want.status, want.code, answer.status, answer.body)
		}
	}
	if answer := e.assumeRole(t, caller, assume); answer.status != 201 {
		t.Fatalf("once the faults are spent: %d %s", answer.status, answer.body)
	}
	echoed := e.exchangeIDToken(t, ciIDP.ID, "id.token.1")
	if got := echoed.iamError(t); echoed.status != 400 || !strings.Contains(got.Message, "X-Idp-Id: ci") || !strings.Contains(got.Message, `"id":"id.token.1"`) {
		t.Fatalf("an echo fault repeats the request, body included: %d %s", echoed.status, echoed.body)
	}
	if answer := e.securityKey(t); answer.status != 500 || !strings.Contains(string(answer.body), "injected fault") {
		t.Fatalf("metadata: %d %s", answer.status, answer.body)
	}
	if answer := e.securityKey(t); answer.status != 200 {
		t.Fatalf("metadata once the fault is spent: %d %s", answer.status, answer.body)
	}

	var got []string
	for _, r := range e.sim.Requests() {
		got = append(got, strings.Join([]string{r.Method, r.Path, r.AccessKey, http.StatusText(r.Status), r.Fault}, " "))
	}
	want := []string{
		"POST /v3.0/OS-CREDENTIAL/securitytokens AKCALLER Service Unavailable status 503",
		"POST /v3.0/OS-CREDENTIAL/securitytokens AKCALLER Too Many Requests status 429",
		"POST /v3.0/OS-CREDENTIAL/securitytokens AKCALLER Created ",
		"POST /v3.0/OS-AUTH/id-token/tokens  Bad Request status 400 echoing the request",
		"GET /openstack/latest/securitykey  Internal Server Error status 500",
		"GET /openstack/latest/securitykey  OK ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("request log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A connection dropped after commit loses the answer of a call that did issue a key, as a lost
// answer from IAM would.
func TestDroppedIAMAnswersStillIssue(t *testing.T) {
	e := newIAMEnv(t)
	if err := e.sim.InjectFault(simulator.Fault{PathPrefix: credentials.SecurityTokensPath, Drop: simulator.DropAfterCommit, Times: 1}); err != nil {
		t.Fatal(err)
	}
	body := assumeRoleBody("coc-operator", "domain_id", "target", 0)
	req, err := http.NewRequest("POST", e.server.URL+credentials.SecurityTokensPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	e.signer(caller).Sign(req, []byte(body))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("want a dropped connection, got %d", resp.StatusCode)
	}
	if issued := e.sim.IssuedCredentials(); len(issued) != 1 {
		t.Fatalf("issued credentials = %+v", issued)
	}
}

func TestIAMAdminAPI(t *testing.T) {
	e := newIAMEnv(t)
	server := e.server
	admin(t, server, "POST", "/_sim/agencies", `[{"name":"reader","domain_id":"source","domain_name":"source-name","trusted_domain_id":"target"}]`, 204)
	admin(t, server, "POST", "/_sim/agencies", `[{"name":"reader","domain_id":"source"}]`, 400)
	// One account, one name: a second name for "target", or "target-name" for another domain, is refused.
	admin(t, server, "POST", "/_sim/agencies", `[{"name":"other","domain_id":"target","domain_name":"renamed","trusted_domain_id":"source"}]`, 400)
	admin(t, server, "POST", "/_sim/agencies", `[{"name":"other","domain_id":"third","domain_name":"target-name","trusted_domain_id":"source"}]`, 400)
	// Declaring an agency again replaces it, its account's name included when no other agency names the account.
	admin(t, server, "POST", "/_sim/agencies", `[{"name":"reader","domain_id":"source","domain_name":"source-renamed","trusted_domain_id":"source"},`+
		`{"name":"reader","domain_id":"source","domain_name":"source-name","trusted_domain_id":"target"}]`, 204)
	admin(t, server, "POST", "/_sim/idps", `[{"id":"cd","domain_id":"source","id_tokens":["cd.token"]}]`, 204)
	admin(t, server, "POST", "/_sim/idps", `[{"id":"cd","domain_id":"source","id_tokens":[]}]`, 400)
	admin(t, server, "POST", "/_sim/idps", `[{"id":"cd","domain_id":"source","id_tokens":[""]}]`, 400)
	admin(t, server, "PUT", "/_sim/issued-lifetime", `{"seconds":-1}`, 400)
	admin(t, server, "PUT", "/_sim/issued-lifetime", `{"seconds":15}`, 204)
	admin(t, server, "PUT", "/_sim/metadata", `{"domain_id":"source"}`, 204)

	now := e.clock.Now()
	reader := e.assumeRole(t, target, assumeRoleBody("reader", "domain_name", "source-name", 3600)).credential(t)
	if !reader.ExpiresAt.Equal(now.Add(15 * time.Second)) {
		t.Fatalf("the issued lifetime caps the key: %+v", reader)
	}
	subject := e.exchangeIDToken(t, "cd", "cd.token").header.Get(credentials.HeaderSubjectToken)
	if answer := e.redeem(t, subject, 900); answer.status != 201 {
		t.Fatalf("the declared provider: %d %s", answer.status, answer.body)
	}
	if answer := e.securityKey(t); answer.status != 200 {
		t.Fatalf("the metadata account: %d %s", answer.status, answer.body)
	}
	var listed []simulator.IssuedCredential
	if err := json.Unmarshal(admin(t, server, "GET", "/_sim/credentials", "", 200), &listed); err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, c := range listed {
		if c.DomainID != "source" || c.SecurityToken == "" || !c.ExpiresAt.Equal(c.IssuedAt.Add(15*time.Second)) {
			t.Fatalf("issued credential %+v", c)
		}
		methods = append(methods, c.Method)
	}
	if strings.Join(methods, " ") != "assume_role token metadata" || listed[0].AccessKey != reader.AccessKey {
		t.Fatalf("issued credentials = %+v", listed)
	}

	// Reset forgets what was issued and the lifetime, and keeps the declared world.
	admin(t, server, "POST", "/_sim/reset", "", 204)
	if len(e.sim.IssuedCredentials()) != 0 {
		t.Fatal("reset kept the issued credentials")
	}
	if _, err := e.listLark(reader); err == nil {
		t.Fatal("a key issued before the reset still works")
	}
	if answer := e.redeem(t, subject, 900); answer.status != 401 {
		t.Fatalf("a subject token issued before the reset: %d %s", answer.status, answer.body)
	}
	now = e.clock.Now()
	again := e.assumeRole(t, target, assumeRoleBody("reader", "domain_id", "source", 3600)).credential(t)
	if !again.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("after reset the agency is still there and the lifetime is as asked: %+v", again)
	}
	if e.securityKey(t).status != 200 || e.exchangeIDToken(t, "cd", "cd.token").status != 201 {
		t.Fatal("after reset the metadata account and the identity provider are still there")
	}
}
