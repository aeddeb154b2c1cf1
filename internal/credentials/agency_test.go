package credentials_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

var permanentKey = hwhttp.Credentials{AccessKey: "AKBASE", SecretKey: "SK-base-0123456789"}

func agency(iam *credentials.IAM, base hwhttp.CredentialsProvider) *credentials.Agency {
	return &credentials.Agency{IAM: iam, Base: base, Role: credentials.AssumeRole{AgencyName: "coc-operator", DomainName: "target"},
		Settings: "assume_role's agency_name"}
}

// The agency is assumed with a request signed by the base credentials, with their security
// token when they are temporary, and its answer becomes the credentials.
func TestAgencyIsAssumedWithTheBaseCredentials(t *testing.T) {
	temporary := hwhttp.Credentials{AccessKey: "AKBASETEMP", SecretKey: "SK-base-temporary", SecurityToken: "TOKEN-base-temporary"}
	for _, base := range []hwhttp.Credentials{permanentKey, temporary} {
		t.Run(base.AccessKey, func(t *testing.T) {
			f := newFakeIAM(t)
			v, err := agency(f.iam(t, fastOptions()), credentials.Static{Credentials: base, Source: "a test key"}).Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v.AccessKey != "AKTEMP1" || v.SecretKey != "SK-temporary-1" || v.SecurityToken != "TOKEN-temporary-1" || v.Expires.IsZero() {
				t.Fatalf("credentials %+v, want the issued ones", v)
			}
			r := f.received()[0]
			if r.method != http.MethodPost || r.path != credentials.SecurityTokensPath {
				t.Fatalf("request %s %s", r.method, r.path)
			}
			if ak := verifySignature(t, r, strings.TrimPrefix(f.url, "http://"), base.SecretKey); ak != base.AccessKey {
				t.Fatalf("signed by %s, want %s", ak, base.AccessKey)
			}
			signed := strings.Contains(r.header.Get(hwhttp.HeaderAuthorization), "x-security-token")
			if r.header.Get(hwhttp.HeaderSecurityToken) != base.SecurityToken || signed != (base.SecurityToken != "") {
				t.Fatalf("X-Security-Token %q (signed: %v), want %q", r.header.Get(hwhttp.HeaderSecurityToken), signed, base.SecurityToken)
			}
		})
	}
}

// IAM's refusals name the agency, carry IAM's code, message and request id, in either of the
// forms IAM and its gateway answer with, and say what to do.
func TestAgencyErrorsNameTheAgencyAndTheFix(t *testing.T) {
	cases := []struct {
		name   string
		answer http.HandlerFunc
		want   []string
	}{
		{"refused, IAM's form", answerJSON(403, `{"error":{"code":"IAM.0002","message":"You are not authorized to assume the agency."}}`),
			[]string{`agency "coc-operator" of account "target", assumed with a test key`, "HTTP 403 IAM.0002: You are not authorized",
				"(request id iam-req-1)", "allowed to assume agencies (the Agent Operator role)"}},
		{"not found, the gateway's form", answerJSON(404, `{"error_code":"IAM.0006","error_msg":"The agency does not exist."}`),
			[]string{"HTTP 404 IAM.0006: The agency does not exist.", "Check assume_role's agency_name"}},
		{"not an IAM error", answerJSON(400, `<html>bad</html>`), []string{"HTTP 400: the answer carries no error code (application/json, 16 bytes)"}},
		{"incomplete credentials", answerJSON(201, `{"credential":{"access":"AK"}}`), []string{"HTTP 201: the answer lacks the credential's"}},
		{"server fault", answerJSON(500, `{"error":{"code":"IAM.0001","message":"busy"}}`), []string{"HTTP 500 IAM.0001", "IAM kept failing after the provider's retries"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIAM(t)
			f.on(credentials.SecurityTokensPath, tc.answer)
			_, err := agency(f.iam(t, fastOptions()), credentials.Static{Credentials: permanentKey, Source: "a test key"}).Retrieve(context.Background())
			expectError[*credentials.Error](t, err, tc.want...)
		})
	}
}

// Throttling and server faults are retried; a refusal is not.
func TestIAMCallsAreRetriedLikeIdempotentOnes(t *testing.T) {
	f := newFakeIAM(t)
	faults := 0
	f.on(credentials.SecurityTokensPath, func(w http.ResponseWriter, r *http.Request) {
		if faults++; faults <= 2 {
			answerJSON([]int{429, 503}[faults-1], `{"error_code":"APIG.0308","error_msg":"slow down"}`)(w, r)
			return
		}
		f.issue(w, http.StatusCreated)
	})
	if _, err := agency(f.iam(t, fastOptions()), credentials.Static{Credentials: permanentKey}).Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.received()); n != 3 {
		t.Fatalf("%d requests, want 3 (two faults, then success)", n)
	}

	refused := newFakeIAM(t)
	refused.on(credentials.SecurityTokensPath, answerJSON(403, `{"error":{"code":"IAM.0002","message":"no"}}`))
	if _, err := agency(refused.iam(t, fastOptions()), credentials.Static{Credentials: permanentKey}).Retrieve(context.Background()); err == nil {
		t.Fatal("want the refusal")
	}
	if n := len(refused.received()); n != 1 {
		t.Fatalf("%d requests for a refusal, want 1", n)
	}
}

// An IAM that cannot be reached is named, with the setting that changes its address.
func TestUnreachableIAMIsNamed(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	iam, err := credentials.NewIAM(closed.URL, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, err = agency(iam, credentials.Static{Credentials: permanentKey}).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "reaches IAM at "+closed.URL) || !strings.Contains(err.Error(), "iam_endpoint (HW_IAM_ENDPOINT)") {
		t.Fatalf("want an error naming IAM's address and iam_endpoint, got %v", err)
	}
}

// A base that fails is reported as it failed, and IAM is not asked.
func TestAgencyReportsItsBaseFailing(t *testing.T) {
	f := newFakeIAM(t)
	baseErr := &credentials.Error{Source: "the base", Err: errors.New("gone")}
	_, err := agency(f.iam(t, fastOptions()), failing{baseErr}).Retrieve(context.Background())
	if !errors.Is(err, baseErr) || len(f.received()) != 0 {
		t.Fatalf("got %v after %d IAM calls; want the base's error and none", err, len(f.received()))
	}
}

type failing struct{ err error }

func (f failing) Retrieve(context.Context) (hwhttp.Credentials, error) {
	return hwhttp.Credentials{}, f.err
}
func (f failing) String() string { return "a failing source" }

// An IAM (or a proxy) that echoes the request puts none of the chain's secrets into an error:
// not the base's secret key or security token, not the request's signature.
func TestIAMErrorsAreScrubbedOfEverySecret(t *testing.T) {
	base := hwhttp.Credentials{AccessKey: "AKECHO", SecretKey: `SK-echo<"&>-0123`, SecurityToken: `TOKEN-echo<"&>-4567`}
	f := newFakeIAM(t)
	var signature string
	f.on(credentials.SecurityTokensPath, func(w http.ResponseWriter, r *http.Request) {
		_, signature, _ = strings.Cut(r.Header.Get(hwhttp.HeaderAuthorization), "Signature=")
		echo := fmt.Sprintf("token %s, auth %s, key %s", r.Header.Get(hwhttp.HeaderSecurityToken), r.Header.Get(hwhttp.HeaderAuthorization), base.SecretKey)
		body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "IAM.0002", "message": echo}})
		w.Header().Set(hwhttp.HeaderRequestID, "req-"+base.SecurityToken)
		answerJSON(403, string(body))(w, r)
	})
	_, err := agency(f.iam(t, fastOptions()), credentials.Static{Credentials: base}).Retrieve(context.Background())
	if err == nil {
		t.Fatal("want an error")
	}
	for _, leaked := range []string{"SK-echo", "TOKEN-echo", signature} {
		if strings.Contains(err.Error(), leaked) {
			t.Errorf("the error leaks %q:\n%s", leaked, err)
		}
	}
	if !strings.Contains(err.Error(), "token ***") || !strings.Contains(err.Error(), "request id req-***") {
		t.Errorf("the echoed secrets are not replaced by ***:\n%s", err)
	}
}

// An iam_endpoint that no retry can make work (here https:// in front of a plain-HTTP server)
// fails at the first attempt, saying what is wrong and which setting to correct.
func TestIAMEndpointSpeakingPlainHTTPFailsAtOnce(t *testing.T) {
	f := newFakeIAM(t)
	logger := &testkit.Logger{}
	o := fastOptions()
	o.Logger = logger
	iam, err := credentials.NewIAM(strings.Replace(f.url, "http://", "https://", 1), o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = agency(iam, credentials.Static{Credentials: permanentKey}).Retrieve(context.Background())
	expectError[*credentials.Error](t, err, "server gave HTTP response to HTTPS client", "speaks plain HTTP", "iam_endpoint or HW_IAM_ENDPOINT",
		"No retry can fix this")
	if n := logger.Count("Sending IAM request"); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}
