package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// The accounts of the IAM tests: a caller, the target account its agency leads to, and a
// stranger whom the agency does not trust.
var (
	caller   = simulator.Tenant{AccessKey: "AKCALLER", SecretKey: "SKCALLER", DomainID: "source"}
	target   = simulator.Tenant{AccessKey: "AKTARGET", SecretKey: "SKTARGET", DomainID: "target"}
	stranger = simulator.Tenant{AccessKey: "AKSTRANGER", SecretKey: "SKSTRANGER", DomainID: "elsewhere"}
	operator = simulator.Agency{Name: "coc-operator", DomainID: "target", DomainName: "target-name", TrustedDomainID: "source"}
	ciIDP    = simulator.IdentityProvider{ID: "ci", DomainID: "target", IDTokens: []string{"id.token.1", "id.token.2"}}
)

// iamEnv is a simulator on a fixed clock with the accounts above, the agency and the identity
// provider.
type iamEnv struct {
	sim    *simulator.Simulator
	server *httptest.Server
	clock  *testkit.Clock
}

func newIAMEnv(t *testing.T, tenants ...simulator.Tenant) *iamEnv {
	t.Helper()
	e := &iamEnv{clock: testkit.NewClock()}
	e.sim = simulator.New(append([]simulator.Tenant{caller, target, stranger}, tenants...), simulator.WithClock(e.clock.Now), simulator.WithSeed(1))
	if err := e.sim.DeclareAgency(operator); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.DeclareIdentityProvider(ciIDP); err != nil {
		t.Fatal(err)
	}
	e.server = httptest.NewServer(e.sim)
	t.Cleanup(e.server.Close)
	return e
}

func (e *iamEnv) signer(tn simulator.Tenant) *hwhttp.Signer {
	return &hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tn.AccessKey, SecretKey: tn.SecretKey, SecurityToken: tn.SecurityToken}, Now: e.clock.Now}
}

// iamAnswer is an answer of IAM or the metadata service.
type iamAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a iamAnswer) credential(t *testing.T) simulator.Tenant {
	t.Helper()
	var out credentials.CredentialResponse
	if err := json.Unmarshal(a.body, &out); err != nil || out.Credential.Access == "" {
		t.Fatalf("no credential in %d %s (%v)", a.status, a.body, err)
	}
	c := out.Credential
	return simulator.Tenant{AccessKey: c.Access, SecretKey: c.Secret, SecurityToken: c.SecurityToken, ExpiresAt: c.ExpiresAt}
}

func (a iamAnswer) iamError(t *testing.T) credentials.ErrorDetail {
	t.Helper()
	var out credentials.ErrorResponse
	if err := json.Unmarshal(a.body, &out); err != nil || out.Error == nil {
		t.Fatalf("no IAM error in %d %s (%v)", a.status, a.body, err)
	}
	return *out.Error
}

// call sends a request, signed when signer is set.
func (e *iamEnv) call(t *testing.T, method, path, body string, signer *hwhttp.Signer, header map[string]string) iamAnswer {
	t.Helper()
	req, err := http.NewRequest(method, e.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range header {
		req.Header.Set(name, v)
	}
	if signer != nil {
		signer.Sign(req, []byte(body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get(hwhttp.HeaderRequestID) == "" {
		t.Fatalf("%s %s: no %s", method, path, hwhttp.HeaderRequestID)
	}
	return iamAnswer{resp.StatusCode, resp.Header, raw}
}

func assumeRoleBody(agency, domainField, domain string, seconds int) string {
	duration := ""
	if seconds != 0 {
		duration = fmt.Sprintf(`,"duration_seconds":%d`, seconds)
	}
	return fmt.Sprintf(`{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":%q,%q:%q%s}}}}`, agency, domainField, domain, duration)
}

func (e *iamEnv) assumeRole(t *testing.T, as simulator.Tenant, body string) iamAnswer {
	t.Helper()
	return e.call(t, "POST", credentials.SecurityTokensPath, body, e.signer(as), nil)
}

// listLark lists the lark bindings of the key's account through the contract API.
func (e *iamEnv) listLark(tn simulator.Tenant) (*coc.BindingList, error) {
	c, err := coc.NewClient(coc.Config{Endpoint: e.server.URL, Credentials: hwhttp.Credentials{AccessKey: tn.AccessKey, SecretKey: tn.SecretKey, SecurityToken: tn.SecurityToken}, MaxRetries: -1, Now: e.clock.Now})
	if err != nil {
		return nil, err
	}
	return c.ListBindings(context.Background(), coc.ListOptions{AppType: platforms.Lark})
}

// worksUntilExpiry checks that an issued key acts on the target account through the contract API
// until its expires_at, and is refused as expired from then on.
func (e *iamEnv) worksUntilExpiry(t *testing.T, issued simulator.Tenant) {
	t.Helper()
	if err := e.sim.ConsoleBind(target.AccessKey, platforms.Lark, []byte(larkBinding)); err != nil {
		t.Fatal(err)
	}
	if list, err := e.listLark(issued); err != nil || list.Total != 1 {
		t.Fatalf("the issued key does not see the target account's binding: %+v %v", list, err)
	}
	e.clock.Advance(issued.ExpiresAt.Sub(e.clock.Now()))
	var apiErr *coc.APIError
	if _, err := e.listLark(issued); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !strings.Contains(apiErr.Message, simulator.SecurityTokenExpired) {
		t.Fatalf("at its expires_at the issued key must be refused as expired, got %v", err)
	}
}

func TestAssumeRoleIssuesAKeyInTheAgencysAccount(t *testing.T) {
	e := newIAMEnv(t)
	start := e.clock.Now()
	answer := e.assumeRole(t, caller, assumeRoleBody("coc-operator", "domain_name", "target-name", 0))
	if answer.status != 201 {
		t.Fatalf("%d %s", answer.status, answer.body)
	}
	issued := answer.credential(t)
	if !issued.ExpiresAt.Equal(start.Add(15*time.Minute)) || issued.SecretKey == "" || issued.SecurityToken == "" {
		t.Fatalf("without duration_seconds the key lives IAM's default 15 minutes: %+v", issued)
	}
	list := e.sim.IssuedCredentials()
	if len(list) != 1 || list[0].AccessKey != issued.AccessKey || list[0].DomainID != target.DomainID || list[0].Method != credentials.MethodAssumeRole || !list[0].IssuedAt.Equal(start) {
		t.Fatalf("issued credentials = %+v", list)
	}
	e.worksUntilExpiry(t, issued)

	// IAM's bounds are inclusive, and the issued lifetime caps what is asked for.
	for _, seconds := range []int{900, 86400} {
		now := e.clock.Now()
		if got := e.assumeRole(t, caller, assumeRoleBody("coc-operator", "domain_id", "target", seconds)).credential(t); !got.ExpiresAt.Equal(now.Add(time.Duration(seconds) * time.Second)) {
			t.Fatalf("duration_seconds %d: expires_at %v", seconds, got.ExpiresAt)
		}
	}
	e.sim.SetIssuedLifetime(15 * time.Second)
	now := e.clock.Now()
	if got := e.assumeRole(t, caller, assumeRoleBody("coc-operator", "domain_id", "target", 3600)).credential(t); !got.ExpiresAt.Equal(now.Add(15 * time.Second)) {
		t.Fatalf("with an issued lifetime of 15 s: expires_at %v", got.ExpiresAt)
	}
}

// A temporary key assumes an agency like a permanent one, when it signs its token; here a key the
// first agency issued assumes a second agency, trusted by the first one's account.
func TestTemporaryKeysAssumeAgenciesWithTheirToken(t *testing.T) {
	e := newIAMEnv(t)
	if err := e.sim.DeclareAgency(simulator.Agency{Name: "auditor", DomainID: "elsewhere", DomainName: "elsewhere-name", TrustedDomainID: "target"}); err != nil {
		t.Fatal(err)
	}
	first := e.assumeRole(t, caller, assumeRoleBody("coc-operator", "domain_id", "target", 0)).credential(t)
	body := assumeRoleBody("auditor", "domain_id", "elsewhere", 0)
	withoutToken := first
	withoutToken.SecurityToken = ""
	if answer := e.assumeRole(t, withoutToken, body); answer.status != 401 || answer.iamError(t).Code != "IAM.0001" {
		t.Fatalf("a temporary key without its token: %d %s", answer.status, answer.body)
	}
	answer := e.assumeRole(t, first, body)
	if answer.status != 201 {
		t.Fatalf("%d %s", answer.status, answer.body)
	}
	if list := e.sim.IssuedCredentials(); len(list) != 2 || list[1].DomainID != "elsewhere" {
		t.Fatalf("issued credentials = %+v", list)
	}
}

// Every refusal answers in IAM's shape, with IAM's code, and issues nothing.
func TestAssumeRoleRefusals(t *testing.T) {
	expired := simulator.Tenant{AccessKey: "AKEXPIRED", SecretKey: "SKEXPIRED", DomainID: "source", SecurityToken: "expired-token", ExpiresAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	anonymous := simulator.Tenant{AccessKey: "AKANON", SecretKey: "SKANON"}
	e := newIAMEnv(t, expired, anonymous)
	valid := assumeRoleBody("coc-operator", "domain_id", "target", 0)
	wrongSecret := caller
	wrongSecret.SecretKey = "SK-not-the-callers"
	cases := []struct {
		name   string
		as     *simulator.Tenant // nil sends the request unsigned
		body   string
		status int
		code   string
	}{
		{"unknown agency", &caller, assumeRoleBody("coc-admin", "domain_id", "target", 0), 404, "IAM.0004"},
		{"agency of another account", &caller, assumeRoleBody("coc-operator", "domain_id", "elsewhere", 0), 404, "IAM.0004"},
		{"agency under another domain name", &caller, assumeRoleBody("coc-operator", "domain_name", "source-name", 0), 404, "IAM.0004"},
		{"untrusted account", &stranger, valid, 403, "IAM.0003"},
		{"key without an account", &anonymous, valid, 403, "IAM.0003"},
		{"bad signature", &wrongSecret, valid, 401, "IAM.0001"},
		{"unsigned", nil, valid, 401, "IAM.0001"},
		{"expired temporary key", &expired, valid, 400, "IAM.1108"},
		{"duration below 15 minutes", &caller, assumeRoleBody("coc-operator", "domain_id", "target", 899), 400, "IAM.0073"},
		{"duration above 24 hours", &caller, assumeRoleBody("coc-operator", "domain_id", "target", 86401), 400, "IAM.0073"},
		{"negative duration", &caller, assumeRoleBody("coc-operator", "domain_id", "target", -1), 400, "IAM.0073"},
		{"no agency name", &caller, assumeRoleBody("", "domain_id", "target", 0), 400, "IAM.0072"},
		{"no domain", &caller, `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"coc-operator"}}}}`, 400, "IAM.0072"},
		{"method and body disagree", &caller, `{"auth":{"identity":{"methods":["token"],"assume_role":{"agency_name":"coc-operator","domain_id":"target"}}}}`, 400, "IAM.0011"},
		{"two methods", &caller, `{"auth":{"identity":{"methods":["assume_role","token"],"assume_role":{"agency_name":"coc-operator","domain_id":"target"}}}}`, 400, "IAM.0011"},
		{"unknown field", &caller, strings.Replace(valid, `"agency_name"`, `"agency":"x","agency_name"`, 1), 400, "IAM.0011"},
		{"not JSON", &caller, "agency_name=coc-operator", 400, "IAM.0011"},
		{"two JSON values", &caller, valid + valid, 400, "IAM.0011"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var signer *hwhttp.Signer
			if tc.as != nil {
				signer = e.signer(*tc.as)
			}
			answer := e.call(t, "POST", credentials.SecurityTokensPath, tc.body, signer, nil)
			got := answer.iamError(t)
			if answer.status != tc.status || got.Code != tc.code || got.Title != http.StatusText(tc.status) || got.Message == "" {
				t.Fatalf("got %d %+v, want %d %s", answer.status, got, tc.status, tc.code)
			}
			if issued := e.sim.IssuedCredentials(); len(issued) != 0 {
				t.Fatalf("a refused request issued %+v", issued)
			}
		})
	}
}

func (e *iamEnv) exchangeIDToken(t *testing.T, idp, idToken string) iamAnswer {
	t.Helper()
	body := fmt.Sprintf(`{"auth":{"id_token":{"id":%q}}}`, idToken)
	return e.call(t, "POST", credentials.IDTokenPath, body, nil, map[string]string{credentials.HeaderIdpID: idp})
}

func (e *iamEnv) redeem(t *testing.T, subjectToken string, seconds int) iamAnswer {
	t.Helper()
	body := fmt.Sprintf(`{"auth":{"identity":{"methods":["token"],"token":{"id":%q,"duration_seconds":%d}}}}`, subjectToken, seconds)
	return e.call(t, "POST", credentials.SecurityTokensPath, body, nil, nil)
}

// An identity token the provider accepts becomes a subject token, and that a temporary key in the
// provider's account; neither call is signed.
func TestOIDCIdentityTokensBecomeKeysInTheProvidersAccount(t *testing.T) {
	e := newIAMEnv(t)
	start := e.clock.Now()
	answer := e.exchangeIDToken(t, ciIDP.ID, "id.token.2")
	subject := answer.header.Get(credentials.HeaderSubjectToken)
	var info credentials.IDTokenResponse
	if err := json.Unmarshal(answer.body, &info); answer.status != 201 || subject == "" || err != nil {
		t.Fatalf("%d %q %s (%v)", answer.status, subject, answer.body, err)
	}
	if !info.Token.IssuedAt.Equal(start) || !info.Token.ExpiresAt.Equal(start.Add(24*time.Hour)) || len(info.Token.Methods) != 1 || info.Token.Methods[0] != "mapped" {
		t.Fatalf("token = %+v", info.Token)
	}
	if listed := e.sim.SubjectTokens(); len(listed) != 1 || listed[0] != subject {
		t.Fatalf("SubjectTokens() = %q, want the one issued", listed)
	}
	answer = e.redeem(t, subject, 3600)
	if answer.status != 201 {
		t.Fatalf("%d %s", answer.status, answer.body)
	}
	issued := answer.credential(t)
	if !issued.ExpiresAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("expires_at %v", issued.ExpiresAt)
	}
	if list := e.sim.IssuedCredentials(); len(list) != 1 || list[0].DomainID != ciIDP.DomainID || list[0].Method != credentials.MethodToken {
		t.Fatalf("issued credentials = %+v", list)
	}
	e.worksUntilExpiry(t, issued)
}

// IAM takes the subject token from X-Auth-Token or from token.id: the provider sends both, which
// must then be the same token.
func TestSubjectTokensComeInXAuthTokenOrTheBody(t *testing.T) {
	e := newIAMEnv(t)
	subject := func() string {
		return e.exchangeIDToken(t, ciIDP.ID, "id.token.1").header.Get(credentials.HeaderSubjectToken)
	}
	headerOnly := `{"auth":{"identity":{"methods":["token"]}}}`
	inBody := func(token string) string {
		return fmt.Sprintf(`{"auth":{"identity":{"methods":["token"],"token":{"id":%q}}}}`, token)
	}
	other := subject()
	for _, tc := range []struct {
		name, body, header string
		status             int
		code               string
	}{
		{"header only", headerOnly, subject(), 201, ""},
		{"both, the same token", "", subject(), 201, ""},
		{"both, different tokens", inBody(other), subject(), 400, "IAM.0007"},
		{"neither", headerOnly, "", 400, "IAM.0072"},
	} {
		body := tc.body
		if body == "" {
			body = inBody(tc.header)
		}
		issued := len(e.sim.IssuedCredentials())
		answer := e.call(t, "POST", credentials.SecurityTokensPath, body, nil, map[string]string{credentials.HeaderAuthToken: tc.header})
		if answer.status != tc.status {
			t.Errorf("%s: got %d %s, want %d", tc.name, answer.status, answer.body, tc.status)
			continue
		}
		if tc.status == 201 {
			if answer.credential(t); len(e.sim.IssuedCredentials()) != issued+1 {
				t.Errorf("%s: no key recorded as issued", tc.name)
			}
			continue
		}
		got := answer.iamError(t)
		if got.Code != tc.code || len(e.sim.IssuedCredentials()) != issued {
			t.Errorf("%s: got %+v and %d keys issued, want %s and none", tc.name, got, len(e.sim.IssuedCredentials())-issued, tc.code)
		}
		if tc.header != "" && strings.Contains(got.Message, tc.header) || strings.Contains(got.Message, other) {
			t.Errorf("%s: the answer repeats a subject token: %s", tc.name, got.Message)
		}
	}
}

func TestOIDCRefusals(t *testing.T) {
	e := newIAMEnv(t)
	for _, tc := range []struct {
		name, idp, body string
		status          int
		code            string
	}{
		{"unknown provider", "cd", `{"auth":{"id_token":{"id":"id.token.1"}}}`, 400, "IAM.0007"},
		{"no provider", "", `{"auth":{"id_token":{"id":"id.token.1"}}}`, 400, "IAM.0007"},
		{"token the provider does not accept", ciIDP.ID, `{"auth":{"id_token":{"id":"id.token.forged"}}}`, 401, "IAM.0001"},
		{"no token", ciIDP.ID, `{"auth":{"id_token":{}}}`, 400, "IAM.0072"},
		{"not JSON", ciIDP.ID, `id_token=id.token.1`, 400, "IAM.0011"},
	} {
		answer := e.call(t, "POST", credentials.IDTokenPath, tc.body, nil, map[string]string{credentials.HeaderIdpID: tc.idp})
		got := answer.iamError(t)
		if answer.status != tc.status || got.Code != tc.code || answer.header.Get(credentials.HeaderSubjectToken) != "" {
			t.Errorf("%s: got %d %+v, want %d %s", tc.name, answer.status, got, tc.status, tc.code)
		}
		if strings.Contains(got.Message, "id.token") {
			t.Errorf("%s: the answer repeats the identity token: %s", tc.name, got.Message)
		}
	}

	subject := e.exchangeIDToken(t, ciIDP.ID, "id.token.1").header.Get(credentials.HeaderSubjectToken)
	for _, tc := range []struct {
		name    string
		token   string
		seconds int
		status  int
		code    string
	}{
		{"unknown subject token", "not-a-subject-token", 900, 401, "IAM.0067"},
		{"no subject token", "", 900, 400, "IAM.0072"},
		{"duration out of range", subject, 60, 400, "IAM.0073"},
	} {
		answer := e.redeem(t, tc.token, tc.seconds)
		if got := answer.iamError(t); answer.status != tc.status || got.Code != tc.code {
			t.Errorf("%s: got %d %+v, want %d %s", tc.name, answer.status, got, tc.status, tc.code)
		}
	}
	e.clock.Advance(24 * time.Hour)
	answer := e.redeem(t, subject, 900)
	if got := answer.iamError(t); answer.status != 401 || got.Code != "IAM.0066" {
		t.Errorf("an expired subject token: got %d %+v", answer.status, got)
	}
	if issued := e.sim.IssuedCredentials(); len(issued) != 0 {
		t.Fatalf("refused requests issued %+v", issued)
	}
}
