package coc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

var testTenant = simulator.Tenant{AccessKey: "AKTEST", SecretKey: "SKTEST-0123456789", DomainID: "domain-1"}

// fastBackoff keeps retry tests quick while exercising the same code paths.
var fastBackoff = hwhttp.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}

func newEnv(t *testing.T, opts ...func(*coc.Config)) (*simulator.Simulator, *coc.Client) {
	t.Helper()
	sim := simulator.New([]simulator.Tenant{testTenant}, simulator.WithSeed(1))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	cfg := coc.Config{
		Endpoint:    server.URL,
		Credentials: hwhttp.Credentials{AccessKey: testTenant.AccessKey, SecretKey: testTenant.SecretKey},
		DomainID:    testTenant.DomainID,
		MaxRetries:  3,
		Backoff:     fastBackoff,
	}
	for _, o := range opts {
		o(&cfg)
	}
	client, err := coc.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sim, client
}

func wecomRequest(enterpriseKey string) coc.BindingRequest {
	return coc.BindingRequest{
		Fields:  map[string]string{"enterprise_id": "ww0123456789abcdef", "service_id": "1000002"},
		Secrets: map[string]string{"enterprise_key": enterpriseKey, "address_book_key": "book-key-1"},
	}
}

// calls renders the request log as "METHOD path status" lines for compact assertions.
func calls(sim *simulator.Simulator) string {
	var lines []string
	for _, r := range sim.Requests() {
		lines = append(lines, r.Method+" "+r.Path+" "+itoa(r.Status))
	}
	return strings.Join(lines, "\n")
}

func itoa(n int) string {
	if n == 0 {
		return "dropped"
	}
	return http.StatusText(n)
}

// wecomFingerprints returns the fingerprints of the stored WeCom secrets.
func wecomFingerprints(t *testing.T, sim *simulator.Simulator) map[string]string {
	t.Helper()
	states, err := sim.Bindings(testTenant.AccessKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if s.AppType == platforms.WeCom {
			return s.Fingerprints
		}
	}
	t.Fatal("no wecom binding in the simulator")
	return nil
}

func TestBindingLifecycle(t *testing.T) {
	sim, client := newEnv(t)
	ctx := context.Background()

	if _, err := client.GetBinding(ctx, platforms.WeCom); !errors.Is(err, coc.ErrNotBound) {
		t.Fatalf("GET unbound: want ErrNotFound, got %v", err)
	}
	created, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	if created.Identifier() != "ww0123456789abcdef" || created.Fields["service_id"] != "1000002" || created.Status != coc.StatusEnabled {
		t.Fatalf("created binding = %+v", created)
	}
	if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint("key-1") {
		t.Fatalf("stored enterprise_key fingerprint %s is not that of the sent key", got)
	}

	got, err := client.GetBinding(ctx, platforms.WeCom)
	if err != nil {
		t.Fatal(err)
	}
	if !got.KeyUpdatedAt.Equal(created.KeyUpdatedAt) || got.Fields["service_id"] != "1000002" {
		t.Fatalf("GET = %+v, want the created binding", got)
	}

	// PUT without secrets keeps them and leaves key_updated_at alone.
	plain := wecomRequest("")
	plain.Secrets = nil
	plain.Fields["service_id"] = "1000003"
	updated, err := client.UpdateBinding(ctx, platforms.WeCom, plain)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Fields["service_id"] != "1000003" || !updated.KeyUpdatedAt.Equal(created.KeyUpdatedAt) || !updated.UpdatedAt.After(created.UpdatedAt) {
		t.Fatalf("plain update = %+v", updated)
	}
	if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint("key-1") {
		t.Fatal("an update without secrets changed the stored key")
	}

	// PUT with a secret replaces it and moves key_updated_at.
	rotated, err := client.UpdateBinding(ctx, platforms.WeCom, wecomRequest("key-2"))
	if err != nil {
		t.Fatal(err)
	}
	if !rotated.KeyUpdatedAt.After(updated.KeyUpdatedAt) {
		t.Fatalf("key_updated_at did not move: %v -> %v", updated.KeyUpdatedAt, rotated.KeyUpdatedAt)
	}
	if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint("key-2") {
		t.Fatal("rotated key did not arrive")
	}

	// A PUT or a DELETE that names another app than the bound one changes nothing, and the
	// error names the bound app.
	moved := wecomRequest("key-3")
	moved.Fields["enterprise_id"] = "ww1111111111111111"
	_, err = client.UpdateBinding(ctx, platforms.WeCom, moved)
	if apiErr := assertAPIError(t, err, coc.ErrOtherAppBound, 400, coc.CodeImmutableField); apiErr.Bound == nil || apiErr.Bound.Identifier() != "ww0123456789abcdef" {
		t.Fatalf("the error does not name the bound app: %+v", apiErr.Bound)
	}
	err = client.DeleteBinding(ctx, platforms.WeCom, "ww1111111111111111")
	if apiErr := assertAPIError(t, err, coc.ErrOtherAppBound, 412, coc.CodeOtherAppBound); apiErr.Bound == nil || apiErr.Bound.Identifier() != "ww0123456789abcdef" {
		t.Fatalf("the error does not name the bound app: %+v", apiErr.Bound)
	}
	if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint("key-2") {
		t.Fatal("a PUT or DELETE naming another app changed the binding")
	}

	if err := client.DeleteBinding(ctx, platforms.WeCom, "ww0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	assertAPIError(t, client.DeleteBinding(ctx, platforms.WeCom, "ww0123456789abcdef"), coc.ErrNotBound, 404, coc.CodeNotBound)
	_, err = client.UpdateBinding(ctx, platforms.WeCom, wecomRequest("key-4"))
	assertAPIError(t, err, coc.ErrNotBound, 404, coc.CodeNotBound)
}

// assertAPIError checks an error's kind, status and code, and returns its details.
func assertAPIError(t *testing.T, err error, kind error, status int, code string) coc.APIError {
	t.Helper()
	var apiErr *coc.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want *coc.APIError, got %T: %v", err, err)
	}
	if !errors.Is(err, kind) || apiErr.StatusCode != status || apiErr.Code != code {
		t.Fatalf("got %v (status %d, code %s), want kind %v, status %d, code %s", err, apiErr.StatusCode, apiErr.Code, kind, status, code)
	}
	if apiErr.RequestID == "" || !strings.Contains(err.Error(), apiErr.RequestID) {
		t.Fatalf("error %q does not carry the request id", err)
	}
	return *apiErr
}

func TestCreateConflictNamesTheBoundBinding(t *testing.T) {
	sim, client := newEnv(t)
	ctx := context.Background()
	if _, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1")); err != nil {
		t.Fatal(err)
	}
	sim.ClearRequests()
	other := wecomRequest("key-2")
	other.Fields["enterprise_id"] = "ww2222222222222222"
	_, err := client.CreateBinding(ctx, platforms.WeCom, other)
	apiErr := assertAPIError(t, err, coc.ErrAlreadyBound, 409, coc.CodeAlreadyBound)
	if !strings.Contains(apiErr.Message, "ww0123456789abcdef") || apiErr.Bound == nil || apiErr.Bound.Identifier() != "ww0123456789abcdef" {
		t.Fatalf("conflict does not name the bound identifier: %v, bound %+v", err, apiErr.Bound)
	}
	if want := "POST /v1/mobile-apps/wecom Conflict\nGET /v1/mobile-apps/wecom OK"; calls(sim) != want {
		t.Fatalf("calls:\n%s\nwant:\n%s", calls(sim), want)
	}
	if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint("key-1") {
		t.Fatal("a rejected create changed the stored key")
	}
}

func TestValidationErrorsCarryDetails(t *testing.T) {
	_, client := newEnv(t)
	req := coc.BindingRequest{
		Fields:  map[string]string{"app_id": "cli_0123456789abcdef", "service_id": ""},
		Secrets: map[string]string{"app_secret": "has space"},
	}
	_, err := client.CreateBinding(context.Background(), platforms.Lark, req)
	apiErr := assertAPIError(t, err, coc.ErrValidation, 400, coc.CodeInvalidField)
	want := []coc.FieldError{
		{Field: "app_secret", Reason: "must not contain whitespace or control characters"},
		{Field: "service_id", Reason: "must not be empty"},
	}
	if len(apiErr.Details) != len(want) || apiErr.Details[0] != want[0] || apiErr.Details[1] != want[1] {
		t.Fatalf("details = %+v, want %+v", apiErr.Details, want)
	}
}

func TestListPagesAndFilters(t *testing.T) {
	sim, client := newEnv(t)
	ctx := context.Background()
	for _, body := range []string{
		`{"enterprise_id":"ww0123456789abcdef","enterprise_key":"k1","address_book_key":"k2","service_id":"1"}`,
		`{"client_id":"dingabcdefghij012345","client_secret":"s","group_template_id":"g","robot_id":"r","service_id":"2"}`,
		`{"app_id":"cli_0123456789abcdef","app_secret":"s","service_id":"3"}`,
	} {
		appType := platforms.WeCom
		switch {
		case strings.Contains(body, "client_id"):
			appType = platforms.DingTalk
		case strings.Contains(body, "app_id"):
			appType = platforms.Lark
		}
		if err := sim.ConsoleBind("", appType, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	page, err := client.ListBindings(ctx, coc.ListOptions{Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.List) != 2 || page.List[0].AppType != platforms.DingTalk || page.List[1].AppType != platforms.Lark {
		t.Fatalf("page = %+v", page)
	}
	filtered, err := client.ListBindings(ctx, coc.ListOptions{AppType: platforms.Lark})
	if err != nil {
		t.Fatal(err)
	}
	if filtered.Total != 1 || filtered.List[0].Identifier() != "cli_0123456789abcdef" {
		t.Fatalf("filtered = %+v", filtered)
	}
	_, err = client.ListBindings(ctx, coc.ListOptions{Limit: 101})
	assertAPIError(t, err, coc.ErrValidation, 400, coc.CodeInvalidField)

	sim.ClearRequests()
	var all []platforms.AppType
	for b, err := range client.AllBindings(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b.AppType)
	}
	if len(all) != 3 || calls(sim) != "GET /v1/mobile-apps OK" {
		t.Fatalf("AllBindings = %v with calls\n%s", all, calls(sim))
	}
}

func TestRetriesIdempotentRequestsOnThrottlingAndServerFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault simulator.Fault
		want  string
	}{
		{"429 with Retry-After", simulator.Fault{Status: 429, RetryAfter: 1, Times: 2}, "Too Many Requests\nToo Many Requests\nOK"},
		{"503", simulator.Fault{Status: 503, Times: 2}, "Service Unavailable\nService Unavailable\nOK"},
		{"502", simulator.Fault{Status: 502, Times: 1}, "Bad Gateway\nOK"},
		{"dropped connection", simulator.Fault{Drop: simulator.DropBeforeCommit, Times: 2}, "dropped\ndropped\nOK"},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			t.Run(tc.name+" "+method, func(t *testing.T) {
				sim, client := newEnv(t)
				ctx := context.Background()
				if _, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1")); err != nil {
					t.Fatal(err)
				}
				sim.ClearRequests()
				fault := tc.fault
				fault.Method = method
				if err := sim.InjectFault(fault); err != nil {
					t.Fatal(err)
				}
				var err error
				switch method {
				case http.MethodGet:
					_, err = client.GetBinding(ctx, platforms.WeCom)
				case http.MethodPut:
					_, err = client.UpdateBinding(ctx, platforms.WeCom, wecomRequest("key-2"))
				case http.MethodDelete:
					err = client.DeleteBinding(ctx, platforms.WeCom, "ww0123456789abcdef")
				}
				if err != nil {
					t.Fatal(err)
				}
				var statuses []string
				for _, r := range sim.Requests() {
					statuses = append(statuses, itoa(r.Status))
				}
				want := tc.want
				if method == http.MethodDelete {
					want = strings.ReplaceAll(want, "OK", "No Content")
				}
				if got := strings.Join(statuses, "\n"); got != want {
					t.Fatalf("attempts:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
}

// When retries run out, the caller sees COC's own error (code, message, request id), not a
// generic "giving up".
func TestRetriesExhaustedSurfaceTheLastAnswer(t *testing.T) {
	sim, client := newEnv(t, func(c *coc.Config) { c.MaxRetries = 2 })
	if err := sim.InjectFault(simulator.Fault{Status: 429, RetryAfter: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := client.GetBinding(context.Background(), platforms.Lark)
	assertAPIError(t, err, coc.ErrThrottled, 429, simulator.CodeThrottled)
	if n := len(sim.Requests()); n != 3 {
		t.Fatalf("%d attempts, want 1 + 2 retries", n)
	}
}

// Every POST of a create carries the create's idempotency key, so a POST is retried like any
// idempotent call, and an attempt whose answer was lost or cut is answered in full by the next.
func TestCreateRetriesWithItsIdempotencyKey(t *testing.T) {
	const post = "POST /v1/mobile-apps/wecom "
	cases := []struct {
		name     string
		fault    simulator.Fault
		want     string
		replayed bool
	}{
		{"throttled", simulator.Fault{Method: "POST", Status: 429, RetryAfter: 1, Times: 1},
			post + "Too Many Requests\n" + post + "Created", false},
		{"server fault", simulator.Fault{Method: "POST", Status: 503, Times: 1},
			post + "Service Unavailable\n" + post + "Created", false},
		{"gateway's backend unavailable", simulator.Fault{Method: "POST", Status: 502, Code: simulator.CodeStaleDate, Message: "Backend unavailable.", Times: 1},
			post + "Bad Gateway\n" + post + "Created", false},
		{"connection dropped before commit", simulator.Fault{Method: "POST", Drop: simulator.DropBeforeCommit, Times: 1},
			post + "dropped\n" + post + "Created", false},
		// The first POST made the binding: COC recognises the key and answers as it did then.
		{"connection dropped after commit", simulator.Fault{Method: "POST", Drop: simulator.DropAfterCommit, Times: 1},
			post + "dropped\n" + post + "Created", true},
		{"201 with a cut body", simulator.Fault{Method: "POST", Truncate: true, Times: 1},
			post + "Created\n" + post + "Created", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, client := newEnv(t)
			if err := sim.InjectFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			b, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1"))
			if err != nil {
				t.Fatal(err)
			}
			if b.Identifier() != "ww0123456789abcdef" || b.Replayed != tc.replayed {
				t.Fatalf("binding = %+v, want replayed %v", b, tc.replayed)
			}
			if calls(sim) != tc.want {
				t.Fatalf("calls:\n%s\nwant:\n%s", calls(sim), tc.want)
			}
			key, _ := client.CreateKey(platforms.WeCom, wecomRequest("key-1"))
			for _, r := range sim.Requests() {
				if r.IdempotencyKey != key {
					t.Fatalf("a POST carried the key %q, want %q", r.IdempotencyKey, key)
				}
			}
			states, _ := sim.Bindings("")
			if len(states) != 1 || states[0].Fingerprints["enterprise_key"] != simulator.Fingerprint("key-1") || states[0].IdempotencyKey != key {
				t.Fatalf("simulator state = %+v", states)
			}
		})
	}
}

// The key is the same for every attempt and every run that sends the binding with the same
// identifier and plain fields as the same principal, and another for anything else; secrets are
// not part of it.
func TestCreateKey(t *testing.T) {
	key := func(principal string, edit func(*coc.BindingRequest)) string {
		client, err := coc.NewClient(coc.Config{Endpoint: "https://coc.example", Principal: principal, Credentials: hwhttp.Credentials{AccessKey: "AK", SecretKey: "SK"}})
		if err != nil {
			t.Fatal(err)
		}
		req := wecomRequest("key-1")
		if edit != nil {
			edit(&req)
		}
		k, err := client.CreateKey(platforms.WeCom, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(k) < coc.MinIdempotencyKeyLength || len(k) > coc.MaxIdempotencyKeyLength {
			t.Fatalf("key %q has %d characters", k, len(k))
		}
		return k
	}
	base := key("AK1", nil)
	if key("AK1", nil) != base || key("AK1", func(r *coc.BindingRequest) { r.Secrets["enterprise_key"] = "other" }) != base {
		t.Fatal("the key changes with the run or the secrets")
	}
	for name, other := range map[string]string{
		"another principal":  key("AK2", nil),
		"another identifier": key("AK1", func(r *coc.BindingRequest) { r.Fields["enterprise_id"] = "ww1" }),
		"another field":      key("AK1", func(r *coc.BindingRequest) { r.Fields["service_id"] = "7" }),
	} {
		if other == base {
			t.Errorf("%s gives the same key", name)
		}
	}
}

// When no answer settles whether a create made the binding, the error says so
// (ErrOutcomeUnknown); a create that provably made nothing does not.
func TestCreateWithUnknownOutcome(t *testing.T) {
	const (
		post = "POST /v1/mobile-apps/wecom "
		// A create sends 1 + MaxRetries (3) POSTs at most.
		attempts = 4
	)
	cases := []struct {
		name    string
		faults  []simulator.Fault
		timeout time.Duration
		unknown bool
		bound   bool
		// want is the request log with repeated calls shown once; the last is made repeats times.
		want    []string
		repeats int
	}{
		{name: "201 with a cut body throughout", faults: []simulator.Fault{{Method: "POST", Truncate: true}},
			unknown: true, bound: true, want: []string{post + "Created"}, repeats: attempts},
		{name: "dropped after commit throughout", faults: []simulator.Fault{{Method: "POST", Drop: simulator.DropAfterCommit}},
			unknown: true, bound: true, want: []string{post + "dropped"}, repeats: attempts},
		// Nothing was made, but nothing can tell.
		{name: "dropped before commit throughout", faults: []simulator.Fault{{Method: "POST", Drop: simulator.DropBeforeCommit}},
			unknown: true, want: []string{post + "dropped"}, repeats: attempts},
		{name: "server fault throughout", faults: []simulator.Fault{{Method: "POST", Status: 503}},
			unknown: true, want: []string{post + "Service Unavailable"}, repeats: attempts},
		// The first attempt may have made it; the throttling after it says nothing about that.
		{name: "dropped after commit, then throttled", faults: []simulator.Fault{{Method: "POST", Drop: simulator.DropAfterCommit, Times: 1}, {Method: "POST", Status: 429}},
			unknown: true, bound: true, want: []string{post + "dropped", post + "Too Many Requests"}, repeats: attempts - 1},
		// The call is given up on while COC holds its answer, or before COC reads it.
		{name: "given up on after commit", faults: []simulator.Fault{{Method: "POST", LatencyAfterCommitMS: 60_000}}, timeout: 300 * time.Millisecond,
			unknown: true, bound: true, want: []string{post + "dropped"}, repeats: 1},
		{name: "given up on before commit", faults: []simulator.Fault{{Method: "POST", LatencyMS: 60_000}}, timeout: 300 * time.Millisecond,
			unknown: true, want: []string{post + "dropped"}, repeats: 1},
		// Refused by the gateway every time: provably never reached the backend.
		{name: "throttled throughout", faults: []simulator.Fault{{Method: "POST", Status: 429}},
			want: []string{post + "Too Many Requests"}, repeats: attempts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, client := newEnv(t)
			for _, f := range tc.faults {
				if err := sim.InjectFault(f); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1"))
			if err == nil || errors.Is(err, coc.ErrOutcomeUnknown) != tc.unknown {
				t.Fatalf("err = %v; want an error, wrapping ErrOutcomeUnknown: %v", err, tc.unknown)
			}
			// The simulator logs a held request once it notices that the client has gone.
			for deadline := time.Now().Add(time.Minute); len(sim.Requests()) == 0 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			lines := strings.Split(calls(sim), "\n")
			if got := slices.Compact(slices.Clone(lines)); !slices.Equal(got, tc.want) {
				t.Fatalf("calls:\n%s\nwant, repeats shown once:\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
			if n := len(lines) - slices.Index(lines, tc.want[len(tc.want)-1]); n != tc.repeats {
				t.Fatalf("%q made %d times, want %d", tc.want[len(tc.want)-1], n, tc.repeats)
			}
			if states, _ := sim.Bindings(""); len(states) == 1 != tc.bound {
				t.Fatalf("simulator state = %+v; want bound: %v", states, tc.bound)
			}

			// The next run sends the same request: COC recognises what the lost one made, and
			// makes it otherwise. Either way there is one binding, with the secrets sent.
			sim.ClearFaults()
			b, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1"))
			if err != nil || b.Replayed != tc.bound {
				t.Fatalf("the next create: %+v, %v; want replayed %v", b, err, tc.bound)
			}
			if states, _ := sim.Bindings(""); len(states) != 1 || states[0].Fingerprints["enterprise_key"] != simulator.Fingerprint("key-1") {
				t.Fatalf("simulator state = %+v", states)
			}
		})
	}

	// Given up on before it was sent: nothing can have been made.
	sim, client := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1")); !errors.Is(err, context.Canceled) || errors.Is(err, coc.ErrOutcomeUnknown) {
		t.Fatalf("err = %v; want the cancellation, without ErrOutcomeUnknown", err)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Fatalf("%d requests reached the simulator", n)
	}
}

// A create adopts only what its key made. A binding of the same app with the same fields, made on
// the console or by another access key of the account, is refused after a transient failure as
// without one, and its secrets are never touched; so is the binding the key made, once its secrets
// differ from the request's, or once its lifetime has passed.
func TestCreateAdoptsOnlyWhatItsKeyMade(t *testing.T) {
	const post = "POST /v1/mobile-apps/wecom "
	sameApp := `{"enterprise_id":"ww0123456789abcdef","enterprise_key":"theirs","address_book_key":"book-key-1","service_id":"1000002"}`
	other := simulator.Tenant{AccessKey: "AKOTHER", SecretKey: "SKOTHER-0123456789", DomainID: testTenant.DomainID}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		// before makes the binding in the way, after the first POST failed transiently.
		before  func(t *testing.T, sim *simulator.Simulator, client *coc.Client)
		code    string
		secrets string
	}{
		{"made on the console", func(t *testing.T, sim *simulator.Simulator, _ *coc.Client) {
			if err := sim.ConsoleBind("", platforms.WeCom, []byte(sameApp)); err != nil {
				t.Fatal(err)
			}
		}, coc.CodeAlreadyBound, "theirs"},
		{"made by another access key of the account, with the same secrets", func(t *testing.T, sim *simulator.Simulator, _ *coc.Client) {
			sim.AddTenant(other)
			client := newClient(t, sim, other, func() time.Time { return now })
			if _, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1")); err != nil {
				t.Fatal(err)
			}
		}, coc.CodeAlreadyBound, "key-1"},
		{"made by this key with other secrets", func(t *testing.T, _ *simulator.Simulator, client *coc.Client) {
			if _, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("earlier")); err != nil {
				t.Fatal(err)
			}
		}, coc.CodeKeyReused, "earlier"},
		{"made by this key, changed since", func(t *testing.T, sim *simulator.Simulator, client *coc.Client) {
			if _, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1")); err != nil {
				t.Fatal(err)
			}
			if err := sim.ConsoleChangeSecrets("", platforms.WeCom, map[string]string{"enterprise_key": "changed"}); err != nil {
				t.Fatal(err)
			}
		}, coc.CodeAlreadyBound, "changed"},
		{"made by this key longer ago than its lifetime", func(t *testing.T, _ *simulator.Simulator, client *coc.Client) {
			if _, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1")); err != nil {
				t.Fatal(err)
			}
			now = now.Add(coc.IdempotencyKeyLifetime)
		}, coc.CodeAlreadyBound, "key-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			clock := func() time.Time { return now }
			sim := simulator.New([]simulator.Tenant{testTenant}, simulator.WithSeed(1), simulator.WithClock(clock))
			client := newClient(t, sim, testTenant, clock)
			tc.before(t, sim, client)
			sim.ClearRequests()
			if err := sim.InjectFault(simulator.Fault{Method: "POST", Status: 503, Times: 1}); err != nil {
				t.Fatal(err)
			}
			_, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1"))
			status := map[string]int{coc.CodeAlreadyBound: 409, coc.CodeKeyReused: 422}[tc.code]
			if apiErr := assertAPIError(t, err, coc.ErrAlreadyBound, status, tc.code); apiErr.Bound == nil || apiErr.Bound.Identifier() != "ww0123456789abcdef" {
				t.Fatalf("the conflict does not name the bound app: %+v", apiErr.Bound)
			}
			if errors.Is(err, coc.ErrOutcomeUnknown) {
				t.Fatalf("a refused create is reported as possibly made: %v", err)
			}
			want := post + "Service Unavailable\n" + post + http.StatusText(status) + "\nGET /v1/mobile-apps/wecom OK"
			if calls(sim) != want {
				t.Fatalf("calls:\n%s\nwant:\n%s", calls(sim), want)
			}
			if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint(tc.secrets) {
				t.Fatal("the binding in the way was changed")
			}
		})
	}
}

// newClient is a client of sim signing as tenant (its principal) by the clock now.
func newClient(t *testing.T, sim *simulator.Simulator, tenant simulator.Tenant, now func() time.Time) *coc.Client {
	t.Helper()
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	client, err := coc.NewClient(coc.Config{
		Endpoint: server.URL, DomainID: tenant.DomainID, MaxRetries: 3, Backoff: fastBackoff, Now: now,
		Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// After a failed attempt, a binding of another app is somebody else's: report the conflict, never
// adopt or overwrite it.
func TestCreateWithUnknownOutcomeDoesNotAdoptADifferentBinding(t *testing.T) {
	sim, client := newEnv(t)
	if err := sim.InjectFault(simulator.Fault{Method: "POST", Status: 500, Times: 1}); err != nil {
		t.Fatal(err)
	}
	// Somebody binds a different app on the console while our POST is in flight.
	other := `{"enterprise_id":"ww9999999999999999","enterprise_key":"theirs","address_book_key":"theirs","service_id":"7"}`
	if err := sim.ConsoleBind("", platforms.WeCom, []byte(other)); err != nil {
		t.Fatal(err)
	}
	_, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1"))
	var apiErr *coc.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, coc.ErrAlreadyBound) || apiErr.Bound == nil || apiErr.Bound.Identifier() != "ww9999999999999999" {
		t.Fatalf("want a conflict naming ww9999999999999999, got %v", err)
	}
	if got := wecomFingerprints(t, sim)["enterprise_key"]; got != simulator.Fingerprint("theirs") {
		t.Fatal("the other binding's key was overwritten")
	}
}

func TestAuthentication(t *testing.T) {
	sim, _ := newEnv(t)
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	send := func(t *testing.T, creds hwhttp.Credentials, now time.Time, tamper func(*http.Request)) (int, coc.ErrorBody) {
		t.Helper()
		body := []byte(`{"app_id":"cli_0123456789abcdef","app_secret":"s3cret","service_id":"1"}`)
		req, err := http.NewRequest(http.MethodPost, server.URL+"/v1/mobile-apps/lark", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		hwhttp.Signer{Credentials: creds, Now: func() time.Time { return now }}.Sign(req, body)
		if tamper != nil {
			tamper(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var answer coc.ErrorBody
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		return resp.StatusCode, answer
	}
	good := hwhttp.Credentials{AccessKey: testTenant.AccessKey, SecretKey: testTenant.SecretKey}
	cases := []struct {
		name   string
		creds  hwhttp.Credentials
		now    time.Time
		tamper func(*http.Request)
		status int
		code   string
	}{
		{"unknown access key", hwhttp.Credentials{AccessKey: "NOPE", SecretKey: "x"}, time.Now(), nil, 401, hwhttp.CodeBadSignature},
		{"wrong secret key", hwhttp.Credentials{AccessKey: testTenant.AccessKey, SecretKey: "wrong"}, time.Now(), nil, 401, hwhttp.CodeBadSignature},
		{"stale date", good, time.Now().Add(-16 * time.Minute), nil, 401, simulator.CodeStaleDate},
		{"future date", good, time.Now().Add(16 * time.Minute), nil, 401, simulator.CodeStaleDate},
		{"tampered path", good, time.Now(), func(r *http.Request) { r.URL.Path = "/v1/mobile-apps/wecom" }, 401, hwhttp.CodeBadSignature},
		{"tampered query", good, time.Now(), func(r *http.Request) { r.URL.RawQuery = "x=1" }, 401, hwhttp.CodeBadSignature},
		{"tampered body", good, time.Now(), func(r *http.Request) {
			b := []byte(`{"app_id":"cli_0123456789abcdef","app_secret":"other","service_id":"1"}`)
			r.Body, r.ContentLength = nopBody(b), int64(len(b))
		}, 401, hwhttp.CodeBadSignature},
		{"tampered signed header", good, time.Now(), func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, 401, hwhttp.CodeBadSignature},
		{"no authorization", good, time.Now(), func(r *http.Request) { r.Header.Del("Authorization") }, 401, hwhttp.CodeBadSignature},
		{"valid", good, time.Now(), nil, 201, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim.Reset()
			status, body := send(t, tc.creds, tc.now, tc.tamper)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if body.ErrorCode != tc.code && tc.code != "" {
				t.Fatalf("error_code %q, want %q", body.ErrorCode, tc.code)
			}
			if bound, _ := sim.Bindings(""); tc.status != 201 && len(bound) != 0 {
				t.Fatal("a rejected request changed state")
			}
		})
	}
}

// Tenants are isolated: each access key sees only its own bindings.
func TestTenantsAreIsolated(t *testing.T) {
	sim, client := newEnv(t)
	other := simulator.Tenant{AccessKey: "AKOTHER", SecretKey: "SKOTHER-0123456789", DomainID: "domain-2"}
	sim.AddTenant(other)
	if _, err := client.CreateBinding(context.Background(), platforms.WeCom, wecomRequest("key-1")); err != nil {
		t.Fatal(err)
	}
	bound, err := sim.Bindings(other.AccessKey)
	if err != nil || len(bound) != 0 {
		t.Fatalf("other tenant sees %v (%v)", bound, err)
	}
}

// Concurrent creates of different apps of one type: one binding, the others refused. Concurrent
// creates of the same binding by one principal are one create: every one of them gets it.
func TestConcurrentCreatesKeepOneBindingPerAppType(t *testing.T) {
	for _, same := range []bool{false, true} {
		t.Run(fmt.Sprintf("same binding %v", same), func(t *testing.T) {
			sim, client := newEnv(t)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				req := wecomRequest("key-1")
				if !same {
					req.Fields["enterprise_id"] = fmt.Sprintf("ww%016d", i)
				}
				wg.Go(func() {
					_, err := client.CreateBinding(context.Background(), platforms.WeCom, req)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			created, conflicts := 0, 0
			for err := range errs {
				switch {
				case err == nil:
					created++
				case errors.Is(err, coc.ErrAlreadyBound):
					conflicts++
				default:
					t.Fatal(err)
				}
			}
			if want := map[bool]int{false: 1, true: 8}[same]; created != want || conflicts != 8-want {
				t.Fatalf("created %d, conflicts %d; want %d and %d", created, conflicts, want, 8-want)
			}
			if bound, _ := sim.Bindings(""); len(bound) != 1 {
				t.Fatalf("simulator holds %d bindings", len(bound))
			}
		})
	}
}

func nopBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// slowIssuer stands for IAM or the metadata service: it obtains the credentials over HTTP, with
// the context of the request they are for, and takes long enough for that request to be given up.
type slowIssuer struct{ url string }

func (s slowIssuer) Retrieve(ctx context.Context) (hwhttp.Credentials, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return hwhttp.Credentials{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return hwhttp.Credentials{}, err
	}
	_ = resp.Body.Close()
	return hwhttp.Credentials{AccessKey: testTenant.AccessKey, SecretKey: testTenant.SecretKey}, nil
}

// A create given up on while its credentials are being obtained never reached COC, even though
// the call that obtains them was written in full: the create must not be reported as possibly made.
func TestCreateGivenUpOnWhileObtainingCredentialsMadeNothing(t *testing.T) {
	issuer := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	t.Cleanup(issuer.Close)
	sim, client := newEnv(t, func(cfg *coc.Config) { cfg.Credentials = slowIssuer{url: issuer.URL} })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := client.CreateBinding(ctx, platforms.WeCom, wecomRequest("key-1"))
	if err == nil || errors.Is(err, coc.ErrOutcomeUnknown) {
		t.Fatalf("err = %v; want an error without ErrOutcomeUnknown", err)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Fatalf("%d requests reached COC", n)
	}
}
