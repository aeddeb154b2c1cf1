package coc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// renewingProvider hands out numbered generations of temporary credentials and moves to the
// next generation when the one in use is reported expired, as a credentials cache does.
type renewingProvider struct {
	mu         sync.Mutex
	generation int
	retrieved  int
	expired    []hwhttp.Credentials
	// refuse, when set, is what Expire answers: the credentials cannot be renewed.
	refuse error
}

func generation(n int) hwhttp.Credentials {
	return hwhttp.Credentials{AccessKey: fmt.Sprintf("AKGEN%d", n), SecretKey: fmt.Sprintf("SK-generation-%d", n), SecurityToken: fmt.Sprintf("TOKEN-generation-%d", n)}
}

func (p *renewingProvider) Retrieve(context.Context) (hwhttp.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retrieved++
	return generation(p.generation), nil
}

func (p *renewingProvider) Expire(creds hwhttp.Credentials) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expired = append(p.expired, creds)
	if p.refuse != nil {
		return p.refuse
	}
	if creds == generation(p.generation) {
		p.generation++
	}
	return nil
}

// accessKeyOf returns the access key a request was signed with.
func accessKeyOf(r *http.Request) string {
	_, rest, _ := strings.Cut(r.Header.Get(hwhttp.HeaderAuthorization), "Access=")
	ak, _, _ := strings.Cut(rest, ",")
	return ak
}

// refusing answers requests signed with the given access keys with status, code and message,
// and every other request with a binding; it counts the requests and the keys they came with.
type refusing struct {
	keys          map[string]bool
	status        int
	code, message string
	mu            sync.Mutex
	signedWith    []string
}

func (h *refusing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.signedWith = append(h.signedWith, accessKeyOf(r))
	h.mu.Unlock()
	if h.keys[accessKeyOf(r)] || h.keys["*"] {
		answer(h.status, "application/json", fmt.Sprintf(`{"error_code":%q,"error_msg":%q}`, h.code, h.message))(w, r)
		return
	}
	answer(201, "application/json", `{"error_code":"COC.00000000","data":{"app_type":"lark","app_id":"cli_1","service_id":"1","status":"enabled",`+
		`"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z","key_updated_at":"2026-01-01T00:00:00.000Z"}}`)(w, r)
}

func (h *refusing) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.signedWith...)
}

const tokenExpired = "Incorrect IAM authentication information: token expires, expires_at: 2026-01-01T00:00:00.000Z"

func larkRequest() coc.BindingRequest {
	return coc.BindingRequest{Fields: map[string]string{"app_id": "cli_1", "service_id": "1"}, Secrets: map[string]string{"app_secret": "s"}}
}

// COC refusing temporary credentials as expired gets them renewed and the request sent once more,
// for a create as for a read: the gateway stopped the request before it reached COC.
func TestExpiredCredentialsAreRenewedAndTheRequestSentOnceMore(t *testing.T) {
	calls := map[string]func(context.Context, *coc.Client) error{
		"create": func(ctx context.Context, c *coc.Client) error {
			_, err := c.CreateBinding(ctx, platforms.Lark, larkRequest())
			return err
		},
		"read": func(ctx context.Context, c *coc.Client) error {
			_, err := c.GetBinding(ctx, platforms.Lark)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			h := &refusing{keys: map[string]bool{"AKGEN0": true}, status: 401, code: hwhttp.CodeBadSignature, message: tokenExpired}
			provider := &renewingProvider{}
			client := rawClient(t, h.ServeHTTP, func(c *coc.Config) { c.Credentials = provider; c.MaxRetries = 3 })
			if err := call(context.Background(), client); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(h.requests(), " "); got != "AKGEN0 AKGEN1" {
				t.Fatalf("requests signed with %s, want AKGEN0 then AKGEN1", got)
			}
			if len(provider.expired) != 1 || provider.expired[0] != generation(0) {
				t.Fatalf("expired %v, want exactly generation 0", provider.expired)
			}
		})
	}
}

// Any other refusal is final: retrying a bad signature would lock the access key after five.
func TestOtherRefusalsAreNeverRetried(t *testing.T) {
	cases := []struct {
		name, code, message string
		status              int
	}{
		{"bad signature", hwhttp.CodeBadSignature, "Incorrect IAM authentication information: verify aksk signature fail", 401},
		{"unknown access key", hwhttp.CodeBadSignature, "Incorrect IAM authentication information: Get secretKey failed,ak:AKGEN0,err:ak not exist", 401},
		{"stale date", simulator.CodeStaleDate, "X-Sdk-Date is more than 15 minutes from the server time", 401},
		{"expiry in a 403", simulator.CodeDomainMismatch, "the domain's trial has expired", 403},
		{"expiry with another code", "APIG.0302", "token expires", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &refusing{keys: map[string]bool{"*": true}, status: tc.status, code: tc.code, message: tc.message}
			provider := &renewingProvider{}
			client := rawClient(t, h.ServeHTTP, func(c *coc.Config) { c.Credentials = provider; c.MaxRetries = 3 })
			_, err := client.CreateBinding(context.Background(), platforms.Lark, larkRequest())
			if !errors.Is(err, coc.ErrAuth) || coc.CredentialsExpired(err) {
				t.Fatalf("want an authentication error that is not an expiry, got %v", err)
			}
			if n := len(h.requests()); n != 1 || len(provider.expired) != 0 {
				t.Fatalf("%d requests and %d renewals; a refusal that is not an expiry must end the call", n, len(provider.expired))
			}
		})
	}
}

// Renewal is tried once: credentials refused as expired again end the call.
func TestRenewedCredentialsRefusedAgainEndTheCall(t *testing.T) {
	h := &refusing{keys: map[string]bool{"*": true}, status: 401, code: hwhttp.CodeBadSignature, message: tokenExpired}
	provider := &renewingProvider{}
	client := rawClient(t, h.ServeHTTP, func(c *coc.Config) { c.Credentials = provider; c.MaxRetries = 3 })
	err := client.DeleteBinding(context.Background(), platforms.Lark, "cli_1")
	if !coc.CredentialsExpired(err) {
		t.Fatalf("want the expiry, got %v", err)
	}
	if got := strings.Join(h.requests(), " "); got != "AKGEN0 AKGEN1" {
		t.Fatalf("requests signed with %s, want one retry with renewed credentials", got)
	}
}

// Credentials that cannot be renewed end the call with COC's answer and the reason.
func TestCredentialsThatCannotBeRenewedSayWhy(t *testing.T) {
	h := &refusing{keys: map[string]bool{"*": true}, status: 401, code: hwhttp.CodeBadSignature, message: tokenExpired}
	provider := &renewingProvider{refuse: errors.New("the security token from HW_SECURITY_TOKEN cannot be renewed")}
	client := rawClient(t, h.ServeHTTP, func(c *coc.Config) { c.Credentials = provider })
	_, err := client.GetBinding(context.Background(), platforms.Lark)
	if !coc.CredentialsExpired(err) || !strings.Contains(err.Error(), "token expires") || !strings.Contains(err.Error(), "cannot be renewed") {
		t.Fatalf("want COC's answer and the reason, got %v", err)
	}
	if n := len(h.requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// A fixed key pair is not renewable: an expiry is final.
func TestFixedCredentialsAreNotRenewed(t *testing.T) {
	h := &refusing{keys: map[string]bool{"*": true}, status: 401, code: hwhttp.CodeBadSignature, message: tokenExpired}
	client := rawClient(t, h.ServeHTTP, func(c *coc.Config) { c.MaxRetries = 3 })
	if _, err := client.GetBinding(context.Background(), platforms.Lark); !coc.CredentialsExpired(err) {
		t.Fatalf("want the expiry, got %v", err)
	}
	if n := len(h.requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// Each attempt asks the provider for credentials, so a retry signs with the current ones.
func TestEveryAttemptSignsWithTheCurrentCredentials(t *testing.T) {
	var attempts atomic.Int32
	provider := &renewingProvider{}
	h := func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			provider.mu.Lock()
			provider.generation = 1 // renewed while the first attempt was on its way
			provider.mu.Unlock()
			answer(503, "application/json", `{"error_code":"COC.00050001","error_msg":"busy"}`)(w, r)
			return
		}
		if ak := accessKeyOf(r); ak != "AKGEN1" {
			t.Errorf("the retry is signed with %s, want AKGEN1", ak)
		}
		w.WriteHeader(204)
	}
	client := rawClient(t, h, func(c *coc.Config) { c.Credentials = provider; c.MaxRetries = 2 })
	if err := client.DeleteBinding(context.Background(), platforms.Lark, "cli_1"); err != nil {
		t.Fatal(err)
	}
	if provider.retrieved != 2 {
		t.Fatalf("credentials retrieved %d times for 2 attempts", provider.retrieved)
	}
}

// Errors are scrubbed of the credentials that signed the request, also when the provider
// obtained them after the client was built.
func TestErrorsNeverCarryCredentialsObtainedLater(t *testing.T) {
	provider := &renewingProvider{generation: 7}
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(coc.ErrorBody{ErrorCode: coc.CodeInvalidField,
			ErrorMsg: fmt.Sprintf("token %s, and the key %s", r.Header.Get(hwhttp.HeaderSecurityToken), generation(7).SecretKey)})
	}
	client := rawClient(t, echo, func(c *coc.Config) { c.Credentials = provider })
	_, err := client.GetBinding(context.Background(), platforms.Lark)
	if err == nil || strings.Contains(err.Error(), "generation-7") || !strings.Contains(err.Error(), "token ***, and the key ***") {
		t.Fatalf("want the echoed credentials scrubbed, got %v", err)
	}
}

// Credentials that cannot be obtained stop the request before it is sent, once, however many
// retries the client may make.
func TestRequestsWithoutCredentialsAreNeitherSentNorRetried(t *testing.T) {
	var sent atomic.Int32
	var retrieved atomic.Int32
	failing := providerFunc(func(context.Context) (hwhttp.Credentials, error) {
		retrieved.Add(1)
		return hwhttp.Credentials{}, errors.New("IAM refused agency coc-operator")
	})
	client := rawClient(t, func(w http.ResponseWriter, _ *http.Request) { sent.Add(1); w.WriteHeader(204) },
		func(c *coc.Config) { c.Credentials = failing; c.MaxRetries = 3 })
	err := client.DeleteBinding(context.Background(), platforms.Lark, "cli_1")
	var credErr *hwhttp.CredentialsError
	if !errors.As(err, &credErr) || !strings.Contains(err.Error(), "DELETE /v1/mobile-apps/lark: obtaining credentials: IAM refused agency coc-operator") {
		t.Fatalf("want a credentials error naming the call and the cause, got %v", err)
	}
	if sent.Load() != 0 || retrieved.Load() != 1 {
		t.Fatalf("%d requests sent and credentials asked for %d times; want 0 and 1", sent.Load(), retrieved.Load())
	}
}

type providerFunc func(context.Context) (hwhttp.Credentials, error)

func (f providerFunc) Retrieve(ctx context.Context) (hwhttp.Credentials, error) { return f(ctx) }
