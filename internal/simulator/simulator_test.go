package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

var tenant = simulator.Tenant{AccessKey: "AKSIM", SecretKey: "SKSIM", DomainID: "dom"}

func start(t *testing.T, tenants ...simulator.Tenant) (*simulator.Simulator, *httptest.Server) {
	t.Helper()
	if len(tenants) == 0 {
		tenants = []simulator.Tenant{tenant}
	}
	sim := simulator.New(tenants, simulator.WithSeed(7))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	return sim, server
}

func admin(t *testing.T, server *httptest.Server, method, path, body string, wantStatus int) []byte {
	t.Helper()
	req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, out)
	}
	return out
}

func client(t *testing.T, server *httptest.Server, creds hwhttp.Credentials) *coc.Client {
	t.Helper()
	c, err := coc.NewClient(coc.Config{Endpoint: server.URL, Credentials: creds, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAdminAPI(t *testing.T) {
	sim, server := start(t)
	admin(t, server, "PUT", "/_sim/bindings/lark",
		`{"app_id":"cli_0123456789abcdef","app_secret":"console-secret","service_id":"s1"}`, 204)
	var states []struct {
		AppID        string            `json:"app_id"`
		KeyUpdatedAt string            `json:"key_updated_at"`
		Fingerprints map[string]string `json:"fingerprints"`
	}
	if err := json.Unmarshal(admin(t, server, "GET", "/_sim/bindings?access_key=AKSIM", "", 200), &states); err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || states[0].AppID != "cli_0123456789abcdef" || states[0].Fingerprints["app_secret"] != simulator.Fingerprint("console-secret") {
		t.Fatalf("bindings = %v", states)
	}
	before := states[0].KeyUpdatedAt

	admin(t, server, "POST", "/_sim/bindings/lark/secrets", `{"app_secret":"rotated-on-console"}`, 204)
	if err := json.Unmarshal(admin(t, server, "GET", "/_sim/bindings", "", 200), &states); err != nil {
		t.Fatal(err)
	}
	if states[0].KeyUpdatedAt == before || states[0].Fingerprints["app_secret"] != simulator.Fingerprint("rotated-on-console") {
		t.Fatalf("console key change did not move key_updated_at or the secret: %v", states[0])
	}
	admin(t, server, "POST", "/_sim/bindings/lark/secrets", `{"service_id":"x"}`, 400)
	admin(t, server, "POST", "/_sim/bindings/wecom/secrets", `{"enterprise_key":"x"}`, 404)

	// Requests made through the contract API show in the log; admin calls do not.
	c := client(t, server, hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey})
	if _, err := c.GetBinding(context.Background(), platforms.Lark); err != nil {
		t.Fatal(err)
	}
	var log []simulator.RequestRecord
	if err := json.Unmarshal(admin(t, server, "GET", "/_sim/requests", "", 200), &log); err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Method != "GET" || log[0].Path != "/v1/mobile-apps/lark" || log[0].Status != 200 || log[0].AccessKey != "AKSIM" {
		t.Fatalf("request log = %+v", log)
	}
	admin(t, server, "DELETE", "/_sim/requests", "", 204)
	if len(sim.Requests()) != 0 {
		t.Fatal("request log not cleared")
	}

	admin(t, server, "POST", "/_sim/faults", `{"method":"GET","status":503,"times":1}`, 204)
	admin(t, server, "POST", "/_sim/faults", `{"status":200}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"drop":"sideways"}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"probability":2,"status":500}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"bogus":1}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"echo":true}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"truncate":true,"drop":"after_commit"}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"truncate":true,"status":503}`, 400)
	admin(t, server, "POST", "/_sim/faults", `{"latency_after_commit_ms":10,"drop":"before_commit"}`, 400)
	if _, err := c.GetBinding(context.Background(), platforms.Lark); !errors.Is(err, coc.ErrServer) {
		t.Fatalf("want the injected 503, got %v", err)
	}
	var faults []simulator.FaultState
	if err := json.Unmarshal(admin(t, server, "GET", "/_sim/faults", "", 200), &faults); err != nil {
		t.Fatal(err)
	}
	if len(faults) != 1 || faults[0].Fired != 1 {
		t.Fatalf("faults = %+v", faults)
	}
	admin(t, server, "DELETE", "/_sim/faults", "", 204)

	admin(t, server, "POST", "/_sim/tenants", `[{"access_key":"AK2","secret_key":"SK2","domain_id":"d2"}]`, 204)
	admin(t, server, "POST", "/_sim/tenants", `[{"access_key":"AK3"}]`, 400)
	// With two tenants, an admin call must say which one it means.
	admin(t, server, "GET", "/_sim/bindings", "", 404)
	admin(t, server, "DELETE", "/_sim/bindings/lark?access_key=AKSIM", "", 204)
	admin(t, server, "DELETE", "/_sim/bindings/lark?access_key=AKSIM", "", 404)

	admin(t, server, "POST", "/_sim/reset", "", 204)
	if len(sim.Requests()) != 0 || len(sim.Faults()) != 0 || len(sim.Tenants()) != 2 {
		t.Fatal("reset must clear the log and faults and keep tenants")
	}
}

func TestTemporaryCredentialsNeedTheirToken(t *testing.T) {
	temp := simulator.Tenant{AccessKey: "AKTEMP", SecretKey: "SKTEMP", DomainID: "dom", SecurityToken: "token-1"}
	_, server := start(t, temp)
	ctx := context.Background()
	withToken := client(t, server, hwhttp.Credentials{AccessKey: "AKTEMP", SecretKey: "SKTEMP", SecurityToken: "token-1"})
	if _, err := withToken.ListBindings(ctx, coc.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", "token-2"} {
		c := client(t, server, hwhttp.Credentials{AccessKey: "AKTEMP", SecretKey: "SKTEMP", SecurityToken: token})
		if _, err := c.ListBindings(ctx, coc.ListOptions{}); !errors.Is(err, coc.ErrAuth) {
			t.Fatalf("token %q: want ErrAuth, got %v", token, err)
		}
	}
}

func TestDomainMismatchIsRejected(t *testing.T) {
	_, server := start(t)
	c, err := coc.NewClient(coc.Config{
		Endpoint: server.URL, Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey},
		DomainID: "someone-else", MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListBindings(context.Background(), coc.ListOptions{}); !errors.Is(err, coc.ErrAuth) {
		t.Fatalf("want ErrAuth, got %v", err)
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	clock := time.Now()
	sim := simulator.New([]simulator.Tenant{tenant}, simulator.WithClock(func() time.Time { return clock }))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	sim.SetRateLimit(2, 2)
	signer := hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}, Now: func() time.Time { return clock }}
	get := func() (status int, retryAfter, retryAfterMs string) {
		req, _ := http.NewRequest("GET", server.URL+"/v1/mobile-apps", bytes.NewReader(nil))
		signer.Sign(req, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Retry-After-Ms")
	}
	for i := range 2 {
		if status, _, _ := get(); status != 200 {
			t.Fatalf("request %d within the burst: %d", i, status)
		}
	}
	// The next token is half a second away: whole seconds round up, milliseconds are exact.
	if status, retryAfter, ms := get(); status != 429 || retryAfter != "1" || ms != "500" {
		t.Fatalf("over the limit: %d Retry-After %q Retry-After-Ms %q", status, retryAfter, ms)
	}
	clock = clock.Add(400 * time.Millisecond)
	if status, retryAfter, ms := get(); status != 429 || retryAfter != "1" || ms != "100" {
		t.Fatalf("100 ms before the refill: %d Retry-After %q Retry-After-Ms %q", status, retryAfter, ms)
	}
	clock = clock.Add(100 * time.Millisecond) // one token refills at 2/s
	if status, _, _ := get(); status != 200 {
		t.Fatalf("after refill: %d", status)
	}
}

func TestLatencyFaultRespectsClientCancellation(t *testing.T) {
	sim, server := start(t)
	if err := sim.InjectFault(simulator.Fault{LatencyMS: 60_000}); err != nil {
		t.Fatal(err)
	}
	c := client(t, server, hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.GetBinding(ctx, platforms.Lark); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the hung request outlived the deadline")
	}
}

func TestUnknownRoutesAndAppTypes(t *testing.T) {
	_, server := start(t)
	c := client(t, server, hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey})
	if _, err := c.GetBinding(context.Background(), platforms.AppType("teams")); !errors.Is(err, coc.ErrValidation) {
		t.Fatalf("unknown app type: want ErrValidation, got %v", err)
	}
	if _, err := c.ListBindings(context.Background(), coc.ListOptions{AppType: "teams"}); !errors.Is(err, coc.ErrValidation) {
		t.Fatalf("unknown app_type filter: want ErrValidation, got %v", err)
	}
}

// The simulator refuses what the contract forbids the way the real gateway and service do, and
// a refused request changes nothing, so tests that pass against it prove something.
func TestRejectsWhatTheContractForbids(t *testing.T) {
	temporary := simulator.Tenant{AccessKey: "AKTEMP", SecretKey: "SKTEMP", DomainID: "dom-temp", SecurityToken: "token-1"}
	sim, server := start(t, tenant, temporary)
	const bound = `{"app_id":"cli_0123456789abcdef","app_secret":"stored","service_id":"s1"}`
	if err := sim.ConsoleBind(tenant.AccessKey, platforms.Lark, []byte(bound)); err != nil {
		t.Fatal(err)
	}
	before, _ := sim.Bindings(tenant.AccessKey)
	creds := hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}
	lark := coc.MobileAppsPath + "/lark"
	wecom := coc.MobileAppsPath + "/wecom"
	valid := `{"enterprise_id":"ww0123456789abcdef","enterprise_key":"k1","address_book_key":"k2","service_id":"1"}`
	// signWith signs with an explicit list of signed headers, as a hand-rolled client might.
	signWith := func(names ...string) func(*http.Request, []byte) {
		return func(r *http.Request, body []byte) {
			r.Header.Set(hwhttp.HeaderDate, time.Now().UTC().Format(hwhttp.DateFormat))
			r.Header.Set("Host", r.URL.Host)
			signature := hwhttp.Signature(creds.SecretKey, r.Header.Get(hwhttp.HeaderDate), hwhttp.CanonicalRequest(r.Method, r.URL, r.Header, names, body))
			r.Header.Set(hwhttp.HeaderAuthorization, hwhttp.AuthorizationValue(creds.AccessKey, names, signature))
		}
	}
	signed := func(c hwhttp.Credentials) func(*http.Request, []byte) {
		return func(r *http.Request, body []byte) { hwhttp.Signer{Credentials: c}.Sign(r, body) }
	}
	withKey := func(key string) func(*http.Request, []byte) {
		return func(r *http.Request, body []byte) {
			r.Header.Set(coc.HeaderIdempotencyKey, key)
			signed(creds)(r, body)
		}
	}
	cases := []struct {
		name         string
		method, path string
		body         string
		sign         func(*http.Request, []byte)
		tamper       func(*http.Request)
		status       int
		code         string
	}{
		{"x-sdk-date not signed", "DELETE", lark, "", signWith("host"), nil, 401, hwhttp.CodeBadSignature},
		{"x-sdk-date missing", "DELETE", lark, "", signed(creds), func(r *http.Request) { r.Header.Del(hwhttp.HeaderDate) }, 401, simulator.CodeStaleDate},
		{"x-sdk-date in another format", "DELETE", lark, "", signed(creds), func(r *http.Request) { r.Header.Set(hwhttp.HeaderDate, time.Now().Format(time.RFC1123)) }, 401, simulator.CodeStaleDate},
		{"another algorithm", "DELETE", lark, "", signed(creds), func(r *http.Request) {
			r.Header.Set(hwhttp.HeaderAuthorization, strings.Replace(r.Header.Get(hwhttp.HeaderAuthorization), hwhttp.SigningAlgorithm, "SDK-HMAC-SHA1", 1))
		}, 401, hwhttp.CodeBadSignature},
		{"no signature", "DELETE", lark, "", signed(creds), func(r *http.Request) {
			auth, _, _ := strings.Cut(r.Header.Get(hwhttp.HeaderAuthorization), ", Signature=")
			r.Header.Set(hwhttp.HeaderAuthorization, auth)
		}, 401, hwhttp.CodeBadSignature},
		{"signed as GET, sent as DELETE", "GET", lark, "", signed(creds), func(r *http.Request) { r.Method = "DELETE" }, 401, hwhttp.CodeBadSignature},
		{"signed for another host", "DELETE", lark, "", signed(creds), func(r *http.Request) { r.Host = "coc.example.com" }, 401, hwhttp.CodeBadSignature},
		{"another tenant's access key with this secret key", "DELETE", lark, "", signed(hwhttp.Credentials{AccessKey: temporary.AccessKey, SecretKey: tenant.SecretKey, SecurityToken: temporary.SecurityToken}), nil, 401, hwhttp.CodeBadSignature},
		{"temporary key without its token", "DELETE", lark, "", signed(hwhttp.Credentials{AccessKey: temporary.AccessKey, SecretKey: temporary.SecretKey}), nil, 401, hwhttp.CodeBadSignature},
		{"temporary key with its token unsigned", "DELETE", lark, "", signed(hwhttp.Credentials{AccessKey: temporary.AccessKey, SecretKey: temporary.SecretKey}),
			func(r *http.Request) { r.Header.Set(hwhttp.HeaderSecurityToken, temporary.SecurityToken) }, 401, hwhttp.CodeBadSignature},
		{"another tenant's domain", "DELETE", lark, "", func(r *http.Request, body []byte) {
			r.Header.Set(hwhttp.HeaderDomainID, temporary.DomainID)
			signed(creds)(r, body)
		}, nil, 403, simulator.CodeDomainMismatch},
		{"body not JSON", "POST", wecom, "enterprise_id=ww0123456789abcdef", signed(creds), nil, 400, coc.CodeInvalidField},
		{"body a JSON array", "POST", wecom, `[` + valid + `]`, signed(creds), nil, 400, coc.CodeInvalidField},
		{"unknown field", "POST", wecom, strings.Replace(valid, `"service_id"`, `"app_secret":"x","service_id"`, 1), signed(creds), nil, 400, coc.CodeInvalidField},
		{"number instead of string", "POST", wecom, strings.Replace(valid, `"1"`, `1`, 1), signed(creds), nil, 400, coc.CodeInvalidField},
		{"missing secret on create", "POST", wecom, strings.Replace(valid, `"enterprise_key":"k1",`, "", 1), signed(creds), nil, 400, coc.CodeInvalidField},
		{"field over 256 characters", "POST", wecom, strings.Replace(valid, `"1"`, `"`+strings.Repeat("1", 257)+`"`, 1), signed(creds), nil, 400, coc.CodeInvalidField},
		{"secret with a control character", "POST", wecom, strings.Replace(valid, `"k1"`, `"k\u0007"`, 1), signed(creds), nil, 400, coc.CodeInvalidField},
		{"body over 64 KiB", "POST", wecom, `{"x":"` + strings.Repeat("x", 64<<10) + `"}`, signed(creds), nil, 413, coc.CodeInvalidField},
		{"update without the identifier", "PUT", lark, `{"app_secret":"new","service_id":"s2"}`, signed(creds), nil, 400, coc.CodeInvalidField},
		{"update of the identifier", "PUT", lark, `{"app_id":"cli_ffffffffffffffff","service_id":"s2"}`, signed(creds), nil, 400, coc.CodeImmutableField},
		{"create of a bound app type", "POST", lark, `{"app_id":"cli_0123456789abcdef","app_secret":"new","service_id":"s2"}`, signed(creds), nil, 409, coc.CodeAlreadyBound},
		{"create of a bound app type with a key it was not made with", "POST", lark, `{"app_id":"cli_0123456789abcdef","app_secret":"stored","service_id":"s1"}`,
			withKey("a-key-of-some-other-create"), nil, 409, coc.CodeAlreadyBound},
		{"idempotency key too short", "POST", wecom, valid, withKey("short"), nil, 400, coc.CodeInvalidField},
		{"idempotency key with a space", "POST", wecom, valid, withKey("a key with spaces in it"), nil, 400, coc.CodeInvalidField},
		{"idempotency key twice", "POST", wecom, valid, func(r *http.Request, body []byte) {
			r.Header.Add(coc.HeaderIdempotencyKey, "first-key-0123456789")
			r.Header.Add(coc.HeaderIdempotencyKey, "second-key-0123456789")
			signed(creds)(r, body)
		}, nil, 400, coc.CodeInvalidField},
		{"delete naming another app", "DELETE", lark + "?app_id=cli_ffffffffffffffff", "", signed(creds), nil, 412, coc.CodeOtherAppBound},
		{"delete naming the app by another platform's identifier", "DELETE", lark + "?client_id=cli_0123456789abcdef", "", signed(creds), nil, 400, coc.CodeInvalidField},
		{"delete naming the app twice", "DELETE", lark + "?app_id=cli_0123456789abcdef&app_id=cli_0123456789abcdef", "", signed(creds), nil, 400, coc.CodeInvalidField},
		{"delete naming no app", "DELETE", lark + "?app_id=", "", signed(creds), nil, 400, coc.CodeInvalidField},
		{"unknown app type", "DELETE", coc.MobileAppsPath + "/teams", "", signed(creds), nil, 400, coc.CodeInvalidField},
		{"unknown path", "DELETE", "/v1/mobile-app/lark", "", signed(creds), nil, 404, hwhttp.CodeNotPublished},
		{"unsupported method", "PATCH", lark, `{}`, signed(creds), nil, 404, hwhttp.CodeNotPublished},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, server.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			tc.sign(req, []byte(tc.body))
			if tc.tamper != nil {
				tc.tamper(req)
			}
			status, answer := send(t, req)
			if status != tc.status || answer.ErrorCode != tc.code {
				t.Fatalf("got %d %s (%s), want %d %s", status, answer.ErrorCode, answer.ErrorMsg, tc.status, tc.code)
			}
			for _, ak := range []string{tenant.AccessKey, temporary.AccessKey} {
				after, _ := sim.Bindings(ak)
				if ak == tenant.AccessKey && (len(after) != 1 || !after[0].UpdatedAt.Equal(before[0].UpdatedAt) ||
					after[0].Fingerprints["app_secret"] != before[0].Fingerprints["app_secret"]) || ak != tenant.AccessKey && len(after) != 0 {
					t.Fatalf("a refused request changed %s's bindings: %+v", ak, after)
				}
			}
		})
	}
}

// The echo fault answers as a careless server would: its error repeats the request's headers,
// the security token included, and its body.
func TestEchoFaultRepeatsTheRequest(t *testing.T) {
	sim, server := start(t)
	if err := sim.InjectFault(simulator.Fault{Method: "POST", Status: 400, Echo: true}); err != nil {
		t.Fatal(err)
	}
	body := `{"app_id":"cli_0123456789abcdef","app_secret":"echo-me","service_id":"1"}`
	req, _ := http.NewRequest("POST", server.URL+"/v1/mobile-apps/lark", strings.NewReader(body))
	hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey, SecurityToken: "token-echo"}}.Sign(req, []byte(body))
	status, answer := send(t, req)
	if status != 400 || !strings.Contains(answer.ErrorMsg, "POST /v1/mobile-apps/lark") ||
		!strings.Contains(answer.ErrorMsg, "X-Security-Token: token-echo") || !strings.Contains(answer.ErrorMsg, "Authorization: SDK-HMAC-SHA256") ||
		len(answer.Details) != 1 || answer.Details[0].Reason != body {
		t.Fatalf("%d %+v", status, answer)
	}
	if bound, _ := sim.Bindings(""); len(bound) != 0 {
		t.Fatal("an echoed request was processed")
	}
	// The request's headers come back as headers too.
	req, _ = http.NewRequest("POST", server.URL+"/v1/mobile-apps/lark", strings.NewReader(body))
	hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey, SecurityToken: "token-echo"}}.Sign(req, []byte(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.Header.Get("X-Echo-Authorization") != req.Header.Get(hwhttp.HeaderAuthorization) || resp.Header.Get("X-Echo-X-Security-Token") != "token-echo" {
		t.Fatalf("the answer's headers do not echo the request's: %v", resp.Header)
	}
}

// Faults that act after commit: the write takes effect, and its answer arrives cut in half, or
// not at all when the client stops waiting for it. The log shows what the client got.
func TestFaultsAfterCommit(t *testing.T) {
	const body = `{"app_id":"cli_0123456789abcdef","app_secret":"s3cret","service_id":"1"}`
	post := func(t *testing.T, server *httptest.Server, ctx context.Context) (*http.Response, error) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, "POST", server.URL+"/v1/mobile-apps/lark", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}}.Sign(req, []byte(body))
		return http.DefaultClient.Do(req)
	}
	expect := func(t *testing.T, sim *simulator.Simulator, status int, fault string) {
		t.Helper()
		if bound, _ := sim.Bindings(""); len(bound) != 1 || bound[0].Fingerprints["app_secret"] != simulator.Fingerprint("s3cret") {
			t.Fatalf("the write did not take effect: %+v", bound)
		}
		if log := sim.Requests(); len(log) != 1 || log[0].Status != status || log[0].Fault != fault {
			t.Fatalf("request log = %+v, want one POST with status %d and fault %q", log, status, fault)
		}
	}

	t.Run("truncate", func(t *testing.T) {
		sim, server := start(t)
		if err := sim.InjectFault(simulator.Fault{Method: "POST", Truncate: true}); err != nil {
			t.Fatal(err)
		}
		resp, err := post(t, server, context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		cut, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 201 || !bytes.HasPrefix(cut, []byte(`{"provider_code"`)) || json.Valid(cut) {
			t.Fatalf("%d %s: want a 201 whose body is the start of the envelope, and not valid JSON", resp.StatusCode, cut)
		}
		expect(t, sim, 201, "truncate")

		// An error answer is sent whole: there is nothing committed to hide.
		sim.ClearRequests()
		resp, err = post(t, server, context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var answer coc.ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != 409 || answer.ErrorCode != coc.CodeAlreadyBound {
			t.Fatalf("%d %+v %v: want the whole 409", resp.StatusCode, answer, err)
		}
	})

	t.Run("latency after commit", func(t *testing.T) {
		sim, server := start(t)
		if err := sim.InjectFault(simulator.Fault{Method: "POST", LatencyAfterCommitMS: 60_000}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			resp, err := post(t, server, ctx)
			if err == nil {
				_ = resp.Body.Close()
			}
			done <- err
		}()
		for bound, _ := sim.Bindings(""); len(bound) == 0; bound, _ = sim.Bindings("") {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("want the client's cancellation, got %v", err)
		}
		// The simulator logs the request once it notices the client has gone.
		for len(sim.Requests()) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		expect(t, sim, 0, "latency after commit 60000ms")
	})
}

// send sends a prepared request and decodes the error body, if any.
func send(t *testing.T, req *http.Request) (int, coc.ErrorBody) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var answer coc.ErrorBody
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer
}
