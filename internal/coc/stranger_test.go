package coc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-cleanhttp"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// These tests put stand-ins in front of the client that answer as no conforming COC would: a
// gateway that does not publish the API, a captive portal, a misrouted answer. The client
// concludes from each only what it means.

// stranger answers each call from a function of the call, and logs the calls it got.
type stranger struct {
	mu    sync.Mutex
	calls []string
}

func (s *stranger) handler(answer func(r *http.Request) (status int, contentType, body string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls = append(s.calls, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		status, contentType, body := answer(r)
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set(hwhttp.HeaderRequestID, "req-stranger")
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, body)
	}
}

func (s *stranger) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.calls, ", ")
}

var notPublished = fmt.Sprintf(`{"error_code":%q,"error_msg":%q,"request_id":"gw-1"}`, hwhttp.CodeNotPublished, simulator.MessageNotPublished)

// larkAnswer is COC's answer describing a Lark binding of the given fields.
func larkAnswer(fields map[string]string) string {
	b := coc.Binding{AppType: platforms.Lark, Status: coc.StatusEnabled, Fields: fields, CreatedAt: listedAt, UpdatedAt: listedAt, KeyUpdatedAt: listedAt}
	data, _ := json.Marshal(simulator.Success(b))
	return string(data)
}

// A gateway's 404 to every call is never "not bound": a read, an update, a delete and a list all
// fail with ErrNotServed, quoting the gateway's code and request id.
func TestAGatewayWithoutTheAPIIsNeverNotBound(t *testing.T) {
	s := &stranger{}
	client := rawClient(t, s.handler(func(*http.Request) (int, string, string) { return 404, "application/json", notPublished }))
	ctx := context.Background()
	_, getErr := client.GetBinding(ctx, platforms.Lark)
	_, putErr := client.UpdateBinding(ctx, platforms.Lark, larkRequest())
	deleteErr := client.DeleteBinding(ctx, platforms.Lark, "cli_1")
	_, listErr := client.ListBindings(ctx, coc.ListOptions{})
	for _, err := range []error{getErr, putErr, deleteErr, listErr} {
		if !errors.Is(err, coc.ErrNotServed) || errors.Is(err, coc.ErrNotBound) || !strings.Contains(err.Error(), "APIG.0101") ||
			!strings.Contains(err.Error(), "request id req-stranger") {
			t.Errorf("got %v, want ErrNotServed quoting APIG.0101 and the request id", err)
		}
	}
}

// What answers a create as something other than COC made nothing through COC. What answers it
// as COC but contradicts the request is sent again with the same idempotency key, for COC to
// answer in full, until the budget is spent: a cut, contradicting or incomplete 201 never reaches
// the caller as it came, and is never read back as a binding to adopt.
func TestCreateAnswersFromStrangers(t *testing.T) {
	sent := larkRequest()
	other := map[string]string{"app_id": "cli_ffffffffffffffff", "service_id": sent.Fields["service_id"]}
	// With max_retries 3, a create sends four POSTs at most.
	const fourPosts = "POST /v1/mobile-apps/lark, POST /v1/mobile-apps/lark, POST /v1/mobile-apps/lark, POST /v1/mobile-apps/lark"
	cases := []struct {
		name      string
		post      func() (int, string, string)
		wantKind  error
		wantCalls string
	}{
		{"a captive portal's 200", func() (int, string, string) { return 200, "text/html", "<html>welcome</html>" }, coc.ErrNotServed, "POST /v1/mobile-apps/lark"},
		{"a gateway's 404", func() (int, string, string) { return 404, "application/json", notPublished }, coc.ErrNotServed, "POST /v1/mobile-apps/lark"},
		{"a 409 that is not COC's", func() (int, string, string) {
			return 409, "application/json", `{"error_code":"PROXY.409","error_msg":"busy"}`
		}, coc.ErrNotServed, "POST /v1/mobile-apps/lark"},
		{"a 201 naming another app", func() (int, string, string) { return 201, "application/json", larkAnswer(other) }, coc.ErrOutcomeUnknown, fourPosts},
		{"a 201 without timestamps", func() (int, string, string) {
			return 201, "application/json", strings.NewReplacer(`,"created_at":"2026-01-02T03:04:05.000Z"`, "", `,"key_updated_at":"2026-01-02T03:04:05.000Z"`, "").Replace(larkAnswer(sent.Fields))
		}, coc.ErrOutcomeUnknown, fourPosts},
		{"a 201 with an error envelope", func() (int, string, string) {
			return 201, "application/json", `{"error_code":"COC.00050001","error_msg":"boom"}`
		}, coc.ErrOutcomeUnknown, fourPosts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &stranger{}
			client := rawClient(t, s.handler(func(r *http.Request) (int, string, string) {
				if r.Method == http.MethodPost {
					return tc.post()
				}
				return 200, "application/json", larkAnswer(sent.Fields)
			}), func(c *coc.Config) { c.MaxRetries = 3 })
			_, err := client.CreateBinding(context.Background(), platforms.Lark, sent)
			unknown := errors.Is(tc.wantKind, coc.ErrOutcomeUnknown)
			if !errors.Is(err, tc.wantKind) || errors.Is(err, coc.ErrOutcomeUnknown) != unknown || errors.Is(err, coc.ErrAlreadyBound) {
				t.Errorf("got %v, want %v (an unknown outcome: %v)", err, tc.wantKind, unknown)
			}
			if s.log() != tc.wantCalls {
				t.Errorf("calls %s, want %s", s.log(), tc.wantCalls)
			}
		})
	}
}

// A DELETE succeeds only on COC's 204 (or COC's success envelope): a login page's 200 or an
// error envelope in a 200 leaves the binding where it was, as far as anyone knows.
func TestDeleteAnsweredBySomethingElseFails(t *testing.T) {
	for _, tc := range []struct {
		status            int
		contentType, body string
		want              error
	}{
		{200, "text/html", "<html>login</html>", coc.ErrNotServed},
		{200, "application/json", `{"error_code":"COC.00050001","error_msg":"boom"}`, coc.ErrResponse},
		{404, "application/json", notPublished, coc.ErrNotServed},
		{404, "application/json", `{"error_code":"COC.00040400","error_msg":"no such API"}`, coc.ErrNotServed},
		{204, "", "", nil},
		{404, "application/json", `{"error_code":"COC.00040401","error_msg":"not bound"}`, coc.ErrNotBound},
	} {
		client := rawClient(t, answer(tc.status, tc.contentType, tc.body))
		err := client.DeleteBinding(context.Background(), platforms.Lark, "cli_1")
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("DELETE answered %d %s %s: got %v, want %v", tc.status, tc.contentType, tc.body, err, tc.want)
		}
	}
}

// One refused signature stops the client: the first request signed with a key goes alone, and
// once the gateway refuses it, every later call fails without being sent. Five refusals in a
// row would lock the key for five minutes.
func TestARefusedKeyIsNeverSignedWithAgain(t *testing.T) {
	var signed atomic.Int32
	client := rawClient(t, func(w http.ResponseWriter, _ *http.Request) {
		signed.Add(1)
		time.Sleep(20 * time.Millisecond) // long enough for the others to line up behind it
		answer(401, "application/json", `{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"gw-7"}`)(w, nil)
	}, func(c *coc.Config) { c.MaxRetries = 3 })
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = client.GetBinding(context.Background(), platforms.AppType(platforms.AppTypes()[i%3]))
		})
	}
	wg.Wait()
	errs = append(slices.Clip(errs), client.DeleteBinding(context.Background(), platforms.Lark, "cli_1"))
	if n := signed.Load(); n != 1 {
		t.Fatalf("%d signed requests reached the gateway, want 1", n)
	}
	var refused int
	for _, err := range errs {
		var notSent *hwhttp.KeyRefusedError
		if !errors.Is(err, coc.ErrAuth) {
			t.Errorf("got %v, want ErrAuth", err)
		}
		if errors.As(err, &notSent) {
			refused++
			if !strings.Contains(err.Error(), "access key AK") || !strings.Contains(err.Error(), "APIG.0301") || !strings.Contains(err.Error(), "req-42") {
				t.Errorf("the refusal %q does not say which key, code and request", err)
			}
		}
	}
	if refused != len(errs)-1 {
		t.Fatalf("%d calls failed without being sent, want %d: %v", refused, len(errs)-1, errs)
	}
}

// Once a key is proven (the gateway answered it with anything but a 401), calls with it go in
// parallel again.
func TestAProvenKeyIsUsedInParallel(t *testing.T) {
	arrived := make(chan struct{}, 8)
	client := rawClient(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		if r.Method == http.MethodDelete {
			// Each DELETE waits for another to arrive: only requests in flight together pass.
			select {
			case <-arrived:
			case <-time.After(5 * time.Second):
				w.WriteHeader(http.StatusGatewayTimeout)
				return
			}
		}
		answer(404, "application/json", `{"error_code":"COC.00040401","error_msg":"not bound"}`)(w, r)
	})
	if _, err := client.GetBinding(context.Background(), platforms.Lark); !errors.Is(err, coc.ErrNotBound) {
		t.Fatal(err)
	}
	<-arrived
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := client.DeleteBinding(context.Background(), platforms.Lark, "cli_1"); !errors.Is(err, coc.ErrNotBound) {
				t.Errorf("got %v: the calls did not run in parallel", err)
			}
		})
	}
	wg.Wait()
}

// Whatever a proxy echoes into the answer's headers (the Authorization it was sent, the security
// token), the debug log shows neither: headers outside an allow-list are logged as ***, and the
// request's signature is scrubbed from the rest.
func TestEchoedCredentialsNeverReachTheLog(t *testing.T) {
	logger := &testkit.Logger{}
	var signature string
	client := rawClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, signature, _ = strings.Cut(r.Header.Get(hwhttp.HeaderAuthorization), "Signature=")
		w.Header().Set("X-Echo-Authorization", r.Header.Get(hwhttp.HeaderAuthorization))
		w.Header().Set("X-Echo-Token", r.Header.Get(hwhttp.HeaderSecurityToken))
		w.Header().Set(hwhttp.HeaderRequestID, "id-"+signature)
		w.Header().Set("Content-Type", "text/plain; sig="+signature)
		w.WriteHeader(404)
	}, func(c *coc.Config) { c.Logger = logger })
	_, _ = client.GetBinding(context.Background(), platforms.Lark)
	logs := logger.Text()
	if signature == "" || !strings.Contains(logs, "Received COC response") {
		t.Fatalf("no response was logged:\n%s", logs)
	}
	for _, leaked := range []string{signature, "TOKEN-very-secret", "Signature="} {
		if strings.Contains(logs, leaked) {
			t.Errorf("the log leaks %q:\n%s", leaked, logs)
		}
	}
	if !strings.Contains(logs, "X-Echo-Authorization: ***") {
		t.Errorf("the echoing header is not logged as ***:\n%s", logs)
	}
}

// A create sends at most max_retries + 1 POSTs in all, whatever mix of throttling, server faults
// and lost answers it meets: the retrying client's retries and the create's own share one budget.
// (Go's transport may besides resend a POST with an Idempotency-Key, as it does a GET, when a
// reused connection turned out closed before any answer; the count is of what the client sends.)
func TestCreateSpendsOneRetryBudget(t *testing.T) {
	for _, maxRetries := range []int{0, 1, 3, 5} {
		for _, mix := range [][]string{{"429"}, {"503"}, {"drop"}, {"429", "503", "drop"}, {"drop", "429", "429", "503"}} {
			var posts, sent atomic.Int32
			client := rawClient(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					answer(404, "application/json", `{"error_code":"COC.00040401","error_msg":"not bound"}`)(w, r)
					return
				}
				switch mix[int(posts.Add(1)-1)%len(mix)] {
				case "429":
					w.Header().Set(hwhttp.HeaderRetryAfter, "0")
					answer(429, "application/json", `{"error_code":"APIG.0308","error_msg":"throttled","request_id":"gw"}`)(w, r)
				case "503":
					answer(503, "application/json", `{"error_code":"COC.00050001","error_msg":"busy"}`)(w, r)
				default:
					hj, _ := w.(http.Hijacker)
					conn, _, _ := hj.Hijack()
					_ = conn.Close()
				}
			}, func(c *coc.Config) {
				c.MaxRetries = maxRetries
				c.HTTPClient = &http.Client{Transport: countingTransport{next: cleanhttp.DefaultTransport(), method: http.MethodPost, n: &sent}}
			})
			if _, err := client.CreateBinding(context.Background(), platforms.Lark, larkRequest()); err == nil {
				t.Fatalf("max_retries %d, %v: the create succeeded", maxRetries, mix)
			}
			if n := int(sent.Load()); n > maxRetries+1 || n < 1 {
				t.Errorf("max_retries %d, answers %v: %d POSTs, want at most %d", maxRetries, mix, n, maxRetries+1)
			}
		}
	}
}

// countingTransport counts the requests of one method that the client hands to its transport.
type countingTransport struct {
	next   http.RoundTripper
	method string
	n      *atomic.Int32
}

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == c.method {
		c.n.Add(1)
	}
	return c.next.RoundTrip(req)
}
