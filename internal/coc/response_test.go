package coc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// rawClient points a client at a handler that answers whatever the test wants.
func rawClient(t *testing.T, h http.HandlerFunc, opts ...func(*coc.Config)) *coc.Client {
	t.Helper()
	server := httptest.NewServer(h)
	t.Cleanup(server.Close)
	cfg := coc.Config{
		Endpoint:         server.URL,
		Credentials:      hwhttp.Credentials{AccessKey: "AK", SecretKey: "SK-very-secret", SecurityToken: "TOKEN-very-secret"},
		MaxRetries:       0,
		Backoff:          fastBackoff,
		MaxResponseBytes: 4096,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := coc.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func answer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set(hwhttp.HeaderRequestID, "req-42")
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, body)
	}
}

func TestMalformedResponsesGiveClearErrors(t *testing.T) {
	binding := `{"app_type":"lark","app_id":"cli_1","service_id":"1","status":"enabled","created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z","key_updated_at":"2026-01-01T00:00:00.000Z"}`
	cases := []struct {
		name    string
		handler http.HandlerFunc
		kind    error
		want    string
	}{
		{"truncated JSON", answer(200, "application/json", `{"error_code":"COC.00000000","data":{"app_type":"la`), coc.ErrResponse, "invalid JSON"},
		{"missing envelope", answer(200, "application/json", binding), coc.ErrResponse, "the envelope has no error_code"},
		{"null data", answer(200, "application/json", `{"error_code":"COC.00000000","data":null}`), coc.ErrResponse, "the envelope has no data"},
		{"wrong field type", answer(200, "application/json", `{"error_code":"COC.00000000","data":{"app_type":"lark","app_id":123}}`), coc.ErrResponse, `field "app_id": expected a string, got a number`},
		{"wrong timestamp type", answer(200, "application/json", `{"error_code":"COC.00000000","data":{"app_type":"lark","created_at":5}}`), coc.ErrResponse, "invalid data"},
		{"unknown app type", answer(200, "application/json", `{"error_code":"COC.00000000","data":{"app_type":"teams"}}`), coc.ErrResponse, `unknown app_type "teams"`},
		{"success status with error code", answer(200, "application/json", `{"error_code":"COC.00050001","error_msg":"boom","data":{}}`), coc.ErrResponse, "success status with error code COC.00050001"},
		{"HTML success page", answer(200, "text/html", "<html>login</html>"), coc.ErrNotServed, "a success status with text/html (18 bytes) is not COC's answer"},
		{"HTML error page from a proxy", answer(502, "text/html", "<html><h1>502 Bad Gateway</h1></html>"), coc.ErrServer, "the error body is not a COC error (text/html, 37 bytes)"},
		{"empty 500", answer(500, "", ""), coc.ErrServer, "the error body is not a COC error (no content type, 0 bytes)"},
		{"JSON error without code", answer(400, "application/json", `{"message":"bad"}`), coc.ErrNotServed, "is not a COC error"},
		{"huge body", answer(200, "application/json", `{"data":"`+strings.Repeat("x", 10_000)+`"}`), coc.ErrResponse, "the body exceeds 4096 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rawClient(t, tc.handler).GetBinding(context.Background(), platforms.Lark)
			if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a %v error containing %q", err, tc.kind, tc.want)
			}
			if !strings.Contains(err.Error(), "req-42") || !strings.Contains(err.Error(), "GET /v1/mobile-apps/lark") {
				t.Fatalf("error %q lacks the operation or request id", err)
			}
		})
	}
}

// A server (or a proxy) that echoes the request back must not get our secrets into an error.
func TestErrorsNeverCarrySecrets(t *testing.T) {
	const secret = `sec<r>et"value&1`
	echo := func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(coc.ErrorBody{
			ErrorCode: coc.CodeInvalidField,
			ErrorMsg:  "bad request " + string(body) + " token " + r.Header.Get(hwhttp.HeaderSecurityToken),
			Details:   []coc.FieldError{{Field: "app_secret", Reason: string(body)}},
		})
	}
	_, err := rawClient(t, echo).CreateBinding(context.Background(), platforms.Lark, coc.BindingRequest{
		Fields:  map[string]string{"app_id": "cli_1", "service_id": "1"},
		Secrets: map[string]string{"app_secret": secret},
	})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, leaked := range []string{"sec<r>et", `sec\u003cr\u003eet`, "TOKEN-very-secret", "SK-very-secret"} {
		if strings.Contains(err.Error(), leaked) {
			t.Fatalf("error leaks %q: %s", leaked, err)
		}
	}
	if !strings.Contains(err.Error(), "***") {
		t.Fatalf("expected the echoed secret to be replaced by ***: %s", err)
	}
}

// The client logs every attempt and response, but never Authorization, X-Security-Token, the
// secret key or any secret of a request body.
func TestLogsNeverCarryCredentialsOrSecrets(t *testing.T) {
	logger := &testkit.Logger{}
	sim := simulator.New([]simulator.Tenant{{AccessKey: "AKLOG", SecretKey: "SK-log-secret", DomainID: "d", SecurityToken: "TOKEN-log-secret"}})
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	client, err := coc.NewClient(coc.Config{
		Endpoint:    server.URL,
		Credentials: hwhttp.Credentials{AccessKey: "AKLOG", SecretKey: "SK-log-secret", SecurityToken: "TOKEN-log-secret"},
		DomainID:    "d", MaxRetries: 2, Backoff: fastBackoff, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The POST fails, and so does the first read-back, which is retried.
	_ = sim.InjectFault(simulator.Fault{Status: 503, Times: 2})
	if _, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("enterprise-key-log")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateBinding(ctx, platforms.WeCom, wecomRequest("enterprise-key-rotated")); err != nil {
		t.Fatal(err)
	}
	if unmaskable := logger.Unmaskable(); len(unmaskable) > 0 {
		t.Errorf("fields the provider's log masks cannot reach: %v", unmaskable)
	}
	logs := logger.Text()
	if !strings.Contains(logs, "Sending COC request") || !strings.Contains(logs, "will be retried") {
		t.Fatalf("expected request and retry logs, got:\n%s", logs)
	}
	for _, leaked := range []string{"SK-log-secret", "TOKEN-log-secret", "enterprise-key-log", "enterprise-key-rotated", "book-key-1", "Signature="} {
		if strings.Contains(logs, leaked) {
			t.Fatalf("logs leak %q:\n%s", leaked, logs)
		}
	}
}

// Each attempt is signed afresh: a retry after a long wait must not carry a stale X-Sdk-Date.
func TestEveryAttemptIsSignedAfresh(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().Unix())
	var dates []string
	var mu sync.Mutex
	h := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		dates = append(dates, r.Header.Get(hwhttp.HeaderDate))
		n := len(dates)
		mu.Unlock()
		clock.Add(60) // the "wait" between attempts
		if n < 3 {
			answer(503, "application/json", `{"error_code":"COC.00050001","error_msg":"busy"}`)(w, r)
			return
		}
		w.WriteHeader(204)
	}
	client := rawClient(t, h, func(c *coc.Config) {
		c.MaxRetries = 3
		c.Now = func() time.Time { return time.Unix(clock.Load(), 0) }
	})
	if err := client.DeleteBinding(context.Background(), platforms.Lark, "cli_1"); err != nil {
		t.Fatal(err)
	}
	if len(dates) != 3 || dates[0] == dates[1] || dates[1] == dates[2] {
		t.Fatalf("X-Sdk-Date per attempt = %v, want three different dates", dates)
	}
}

// A hung server, or one that asks to wait a minute, is given up on at the caller's deadline or
// cancellation, whatever the call, and no goroutine outlives the call.
func TestGivingUpOnAHungServer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hang := func(_ http.ResponseWriter, r *http.Request) {
		// The server notices a client that hangs up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	busy := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		answer(503, "application/json", `{"error_code":"COC.00050001","error_msg":"busy"}`)(w, r)
	}
	create := func(ctx context.Context, c *coc.Client) error {
		_, err := c.CreateBinding(ctx, platforms.Lark, coc.BindingRequest{Fields: map[string]string{"app_id": "cli_1", "service_id": "1"}, Secrets: map[string]string{"app_secret": "s"}})
		return err
	}
	get := func(ctx context.Context, c *coc.Client) error {
		_, err := c.GetBinding(ctx, platforms.Lark)
		return err
	}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		call    func(context.Context, *coc.Client) error
		cancel  bool // cancel, as Ctrl-C does, rather than let a deadline pass
		want    error
	}{
		{"GET held past the deadline", hang, get, false, context.DeadlineExceeded},
		{"POST held until cancelled", hang, create, true, context.Canceled},
		{"DELETE waiting out a Retry-After until cancelled", busy, func(ctx context.Context, c *coc.Client) error { return c.DeleteBinding(ctx, platforms.Lark, "cli_1") }, true, context.Canceled},
		{"POST reconciling a 503 past the deadline", busy, create, false, context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			transport := &http.Transport{}
			client := rawClient(t, tc.handler, func(c *coc.Config) {
				c.MaxRetries = 5
				c.Backoff = hwhttp.Backoff{Min: time.Second, Max: time.Minute, MaxRetryAfter: time.Minute}
				c.HTTPClient = &http.Client{Transport: transport}
			})
			before := runtime.NumGoroutine()
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if tc.cancel {
				ctx, cancel = context.WithCancel(context.Background())
				defer cancel()
				time.AfterFunc(200*time.Millisecond, cancel)
			}
			start := time.Now()
			err := tc.call(ctx, client)
			if !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
			// Not a speed target: the server would hold the call for a minute or more.
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Fatalf("gave up after %v; the caller gave up after 200ms", elapsed)
			}
			// A connection kept alive for the next call is not a leak; closed, its goroutines end.
			transport.CloseIdleConnections()
			deadline := time.Now().Add(2 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Fatalf("%d goroutines after the call, %d before", n, before)
			}
		})
	}
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	good := hwhttp.Credentials{AccessKey: "AK", SecretKey: "SK"}
	cases := []struct {
		name string
		cfg  coc.Config
		want string
	}{
		{"no scheme", coc.Config{Endpoint: "coc.example.com", Credentials: good}, "must start with https://"},
		{"ftp", coc.Config{Endpoint: "ftp://coc.example.com", Credentials: good}, "must start with https://"},
		{"no host", coc.Config{Endpoint: "https://", Credentials: good}, "has no host"},
		{"query", coc.Config{Endpoint: "https://coc.example.com?x=1", Credentials: good}, "must not contain"},
		{"userinfo", coc.Config{Endpoint: "https://u:p@coc.example.com", Credentials: good}, "must not contain"},
		{"password not shown", coc.Config{Endpoint: "https://user:hunter22@coc.example.com", Credentials: good}, `"https://***@coc.example.com" must not contain credentials`},
		{"password of an unparsable URL not shown", coc.Config{Endpoint: "https://user:hunter22@[::1", Credentials: good}, `"https://***@[::1" is not a valid URL: missing ']' in host`},
		{"no keys", coc.Config{Endpoint: "https://coc.example.com"}, "access key and a secret key"},
	}
	for _, tc := range cases {
		if _, err := coc.NewClient(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
