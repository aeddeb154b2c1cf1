package credentials_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// The identity token is exchanged for a subject token, and that for credentials, in two
// unsigned calls, the second carrying the subject token in its body and in X-Auth-Token; both
// tokens join the secrets that logs and errors are scrubbed of, and the calls' own log lines
// show neither.
func TestOIDCExchangesTheIdentityTokenInTwoSteps(t *testing.T) {
	f := newFakeIAM(t)
	logger := &testkit.Logger{}
	o := fastOptions()
	o.Secrets, o.Logger = new(hwhttp.Secrets), logger
	v, err := (&credentials.OIDC{IAM: f.iam(t, o), IdpID: "ci-idp", IDToken: "id.token.1", Duration: 1800}).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.AccessKey != "AKTEMP1" {
		t.Fatalf("credentials %+v, want the issued ones", v)
	}
	got := f.received()
	if f.paths() != credentials.IDTokenPath+" "+credentials.SecurityTokensPath {
		t.Fatalf("requests %s", f.paths())
	}
	if got[0].header.Get(credentials.HeaderIdpID) != "ci-idp" || !strings.Contains(string(got[0].body), `"id":"id.token.1"`) {
		t.Fatalf("the exchange sent X-Idp-Id %q and %s", got[0].header.Get(credentials.HeaderIdpID), got[0].body)
	}
	if want := `{"auth":{"identity":{"methods":["token"],"token":{"id":"subject-token-1","duration_seconds":1800}}}}`; string(got[1].body) != want {
		t.Fatalf("the credentials request is %s, want %s", got[1].body, want)
	}
	if h := got[1].header.Get(credentials.HeaderAuthToken); h != "subject-token-1" {
		t.Fatalf("the credentials request carries %s %q, want the subject token there too", credentials.HeaderAuthToken, h)
	}
	for _, r := range got {
		if r.header.Get(hwhttp.HeaderAuthorization) != "" || r.header.Get(hwhttp.HeaderSecurityToken) != "" {
			t.Fatalf("%s is signed; the OIDC exchange has nothing to sign with", r.path)
		}
	}
	if secrets := o.Secrets.Scrubber(); !slices.Contains(secrets, "id.token.1") || !slices.Contains(secrets, "subject-token-1") {
		t.Fatalf("secrets %v lack the identity or the subject token", secrets)
	}
	logs := logger.Text()
	if !strings.Contains(logs, "X-Subject-Token: ***") || !strings.Contains(logs, "X-Auth-Token: ***") ||
		strings.Contains(logs, "subject-token-1") || strings.Contains(logs, "id.token.1") {
		t.Fatalf("the logs show a token:\n%s", logs)
	}
}

// The token file is read again for every renewal: CI runners rotate it.
func TestOIDCRereadsTheTokenFileOnRenewal(t *testing.T) {
	clk := testkit.NewClock()
	f := newFakeIAM(t)
	f.now = clk.Now
	file := writeFile(t, "token", "id.token.first\n")
	o := fastOptions()
	o.Now = clk.Now
	cache := credentials.NewCache(&credentials.OIDC{IAM: f.iam(t, o), IdpID: "ci-idp", IDTokenFile: file}, o)
	retrieve(t, cache)
	if err := os.WriteFile(file, []byte("id.token.second"), 0o600); err != nil {
		t.Fatal(err)
	}
	clk.Advance(56 * time.Minute) // less than 5 of the hour left
	if creds := retrieve(t, cache); creds.AccessKey != "AKTEMP2" {
		t.Fatalf("credentials %s, want renewed ones", creds.AccessKey)
	}
	var tokens []string
	for _, r := range f.received() {
		if r.path == credentials.IDTokenPath {
			tokens = append(tokens, string(r.body))
		}
	}
	if len(tokens) != 2 || !strings.Contains(tokens[0], `"id.token.first"`) || !strings.Contains(tokens[1], `"id.token.second"`) {
		t.Fatalf("identity tokens sent: %v; want the file's content each time, without its line break", tokens)
	}
}

// With an agency, the federated user's temporary credentials assume it.
func TestOIDCWithAnAgencyAssumesIt(t *testing.T) {
	f := newFakeIAM(t)
	chain, err := credentials.New(credentials.Config{IAMEndpoint: f.url, Options: fastOptions(),
		OIDC: &credentials.OIDCConfig{IdpID: "ci-idp", IDToken: "id.token", AgencyName: "coc-operator", DomainID: "target-domain", Duration: 7200}})
	if err != nil {
		t.Fatal(err)
	}
	if creds := retrieve(t, chain); creds.AccessKey != "AKTEMP2" {
		t.Fatalf("credentials %s, want the agency's", creds.AccessKey)
	}
	got := f.received()
	if len(got) != 3 {
		t.Fatalf("requests %s, want the exchange, the federated credentials and the agency's", f.paths())
	}
	if want := `{"auth":{"identity":{"methods":["token"],"token":{"id":"subject-token-1"}}}}`; string(got[1].body) != want {
		t.Fatalf("the federated credentials request is %s, want %s (the duration is the agency's)", got[1].body, want)
	}
	if want := `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"coc-operator","domain_id":"target-domain","duration_seconds":7200}}}}`; string(got[2].body) != want {
		t.Fatalf("the agency request is %s, want %s", got[2].body, want)
	}
	if ak := verifySignature(t, got[2], strings.TrimPrefix(f.url, "http://"), "SK-temporary-1"); ak != "AKTEMP1" || got[2].header.Get(hwhttp.HeaderSecurityToken) != "TOKEN-temporary-1" {
		t.Fatalf("the agency request is signed by %s with token %q, want the federated credentials", ak, got[2].header.Get(hwhttp.HeaderSecurityToken))
	}
	if chain.DomainID() != "target-domain" {
		t.Fatalf("X-Domain-Id %q, want the agency's account", chain.DomainID())
	}
}

func TestOIDCErrorsNameTheIdentityProviderAndTheFix(t *testing.T) {
	missing := t.TempDir() + "/no-such-token"
	cases := []struct {
		name   string
		oidc   credentials.OIDC
		answer http.HandlerFunc
		want   []string
	}{
		{"token refused", credentials.OIDC{IdpID: "ci-idp", IDToken: "id.token"}, answerJSON(401, `{"error":{"code":"1101","message":"The id_token has expired."}}`),
			[]string{`identity provider "ci-idp"`, "HTTP 401 1101: The id_token has expired.", "is current and issued for identity provider"}},
		{"unknown identity provider", credentials.OIDC{IdpID: "nope", IDToken: "id.token"}, answerJSON(404, `{"error_code":"IAM.0003","error_msg":"The IdP does not exist."}`),
			[]string{"HTTP 404 IAM.0003", "Check idp_id (HW_ASSUME_ROLE_IDP_ID)"}},
		{"no subject token", credentials.OIDC{IdpID: "ci-idp", IDToken: "id.token"}, answerJSON(201, `{}`), []string{"IAM's answer has no X-Subject-Token header"}},
		{"missing token file", credentials.OIDC{IdpID: "ci-idp", IDTokenFile: missing}, nil, []string{missing, "no such file", "id_token_file (HW_ASSUME_ROLE_ID_TOKEN_FILE)"}},
		{"empty token file", credentials.OIDC{IdpID: "ci-idp", IDTokenFile: writeFile(t, "empty", "\n")}, nil, []string{"empty", "is empty"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIAM(t)
			if tc.answer != nil {
				f.on(credentials.IDTokenPath, tc.answer)
			}
			tc.oidc.IAM = f.iam(t, fastOptions())
			_, err := tc.oidc.Retrieve(context.Background())
			expectError[*credentials.Error](t, err, tc.want...)
			if tc.answer == nil && len(f.received()) != 0 {
				t.Errorf("IAM was called without an identity token")
			}
		})
	}
}

// An IAM (or a proxy) that echoes the request's headers and body puts neither token into an
// error: not the identity token, not the subject token in X-Auth-Token and token.id.
func TestOIDCErrorsAreScrubbedOfBothTokens(t *testing.T) {
	for _, path := range []string{credentials.IDTokenPath, credentials.SecurityTokensPath} {
		t.Run(path, func(t *testing.T) {
			f := newFakeIAM(t)
			f.on(path, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				echo := fmt.Sprintf("auth token %s, body %s", r.Header.Get(credentials.HeaderAuthToken), body)
				answer, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "IAM.0011", "message": echo}})
				answerJSON(400, string(answer))(w, r)
			})
			_, err := (&credentials.OIDC{IAM: f.iam(t, fastOptions()), IdpID: "ci-idp", IDToken: `id.token<"&>.echo`}).Retrieve(context.Background())
			expectError[*credentials.Error](t, err, "HTTP 400 IAM.0011")
			for _, leaked := range []string{"id.token", "subject-token"} {
				if strings.Contains(err.Error(), leaked) {
					t.Errorf("the error leaks a token (%q):\n%s", leaked, err)
				}
			}
		})
	}
}
