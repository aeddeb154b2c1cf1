package appcheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// secret holds characters that URL and JSON encoding both change, so that an encoded copy of it
// in an error or a log would be noticed.
const secret = `S3cr3t+/<&>"\%=x`

var fastBackoff = hwhttp.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}

// apps are an app of each platform, as the simulator registers them.
var apps = map[platforms.AppType]string{platforms.WeCom: "ww0123456789abcdef", platforms.DingTalk: "dingabcdefghij012345", platforms.Lark: "cli_a1b2c3d4e5f6a7b8"}

// simEnv is a simulator that accepts secret for every app, and a Checker pointed at it.
type simEnv struct {
	sim     *simulator.Simulator
	url     string
	checker *appcheck.Checker
	logs    *testkit.Logger
}

func newSimEnv(t *testing.T, maxRetries int) *simEnv {
	t.Helper()
	sim := simulator.New(nil, simulator.WithSeed(1))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	for appType, id := range apps {
		if err := sim.AcceptAppCredentials(simulator.AppCredentials{AppType: appType, AppID: id, Secrets: []string{secret}}); err != nil {
			t.Fatal(err)
		}
	}
	env := &simEnv{sim: sim, url: server.URL, logs: &testkit.Logger{}}
	env.checker = env.newChecker(t, maxRetries, nil)
	return env
}

func (e *simEnv) endpoints() map[platforms.AppType]string {
	out := map[platforms.AppType]string{}
	for appType := range apps {
		out[appType] = e.url + simulator.PlatformPrefix + string(appType)
	}
	return out
}

func (e *simEnv) newChecker(t *testing.T, maxRetries int, passed *appcheck.Memory) *appcheck.Checker {
	t.Helper()
	c, err := appcheck.New(appcheck.Config{Endpoints: e.endpoints(), MaxRetries: maxRetries, Backoff: fastBackoff, Logger: e.logs, Passed: passed})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tokenCalls counts the token calls the simulator saw, by platform.
func (e *simEnv) tokenCalls() map[platforms.AppType]int {
	out := map[platforms.AppType]int{}
	for _, r := range e.sim.Requests() {
		for appType := range apps {
			if strings.HasPrefix(r.Path, simulator.PlatformPrefix+string(appType)+"/") {
				out[appType]++
			}
		}
	}
	return out
}

// expectNoSecret fails if text holds the secret in any spelling an error or log could give it.
func expectNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for _, form := range hwhttp.Spellings(secret) {
		if strings.Contains(text, form) {
			t.Errorf("%s holds the secret (as %q):\n%s", where, form, text)
		}
	}
}

func TestEveryPlatformHasATokenCall(t *testing.T) {
	for _, p := range platforms.All() {
		if u, err := hwhttp.ParseHTTPSEndpoint(platforms.MustFor(p.AppType).Token.Endpoint); err != nil || u.Scheme != "https" {
			t.Errorf("%s: default endpoint %q: %v", p.AppType, platforms.MustFor(p.AppType).Token.Endpoint, err)
		}
		if platforms.MustFor(p.AppType).Token.Path == "" {
			t.Errorf("%s: no token call", p.AppType)
		}
	}
}

// Each platform's call, as its description gives it: the credentials in the query of a GET
// (WeCom's), in a JSON body otherwise; and each platform's success answer passes.
func TestRequestShapes(t *testing.T) {
	type shape struct {
		appType       platforms.AppType
		method, path  string
		query, body   map[string]string
		successAnswer string
	}
	var cases []shape
	for _, p := range platforms.All() {
		tc := p.Token
		c := shape{appType: p.AppType, method: tc.Method, path: "/base" + tc.Path}
		credentials := map[string]string{tc.AppIDField: "ww1", tc.SecretField: secret}
		if tc.Method == http.MethodGet {
			c.query = credentials
		} else {
			c.body = credentials
		}
		answer := map[string]any{tc.Token: "tok", tc.Lifetime: 7200}
		if tc.SuccessCode != "" {
			answer[tc.Code], answer[tc.Message] = tc.SuccessCode, "ok"
			if n, err := strconv.Atoi(tc.SuccessCode); err == nil && tc.NumericCode {
				answer[tc.Code] = n
			}
		}
		data, err := json.Marshal(answer)
		if err != nil {
			t.Fatal(err)
		}
		c.successAnswer = string(data)
		cases = append(cases, c)
	}
	for _, tc := range cases {
		t.Run(string(tc.appType), func(t *testing.T) {
			var got *http.Request
			var body []byte
			server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, body = r, readAll(r.Body)
				_, _ = io.WriteString(w, tc.successAnswer)
			}))
			defer server.Close()
			c, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{tc.appType: server.URL + "/base/"}, UserAgent: "ua/1"})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Check(context.Background(), tc.appType, "ww1", secret); err != nil {
				t.Fatalf("the platform issued a token, yet: %v", err)
			}
			if got.Method != tc.method || got.URL.Path != tc.path || got.Header.Get("User-Agent") != "ua/1" {
				t.Errorf("sent %s %s (User-Agent %q), want %s %s", got.Method, got.URL.Path, got.Header.Get("User-Agent"), tc.method, tc.path)
			}
			query := map[string]string{}
			for k := range got.URL.Query() {
				query[k] = got.URL.Query().Get(k)
			}
			if tc.query == nil && len(query) != 0 || tc.query != nil && fmt.Sprint(query) != fmt.Sprint(tc.query) {
				t.Errorf("query %v, want %v", query, tc.query)
			}
			var members map[string]string
			if tc.body == nil && len(body) != 0 || tc.body != nil && (json.Unmarshal(body, &members) != nil || fmt.Sprint(members) != fmt.Sprint(tc.body)) {
				t.Errorf("body %s, want %v", body, tc.body)
			}
			if tc.body != nil && !strings.HasPrefix(got.Header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
			}
		})
	}
}

func readAll(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}

// A platform's refusal is a *Rejection in its own words, for an unknown app as for a wrong secret.
func TestRejectionsQuoteThePlatform(t *testing.T) {
	env := newSimEnv(t, 0)
	cases := []struct {
		appType      platforms.AppType
		appID        string
		code, prefix string
	}{
		{platforms.WeCom, apps[platforms.WeCom], "40001", "invalid credential"},
		{platforms.WeCom, "wwunknown", "40013", "invalid corpid"},
		{platforms.DingTalk, apps[platforms.DingTalk], "invalidClientIdOrSecret", "无效的clientId或者clientSecret"},
		{platforms.DingTalk, "dingunknown", "invalidClientIdOrSecret", "无效的clientId或者clientSecret"},
		{platforms.Lark, apps[platforms.Lark], "10014", "app secret invalid"},
		{platforms.Lark, "cli_unknown", "10003", "invalid param"},
	}
	for _, tc := range cases {
		err := env.checker.Check(context.Background(), tc.appType, tc.appID, "wrong-"+secret)
		var rejection *appcheck.Rejection
		if !errors.As(err, &rejection) || rejection.Code != tc.code || !strings.HasPrefix(rejection.Message, tc.prefix) {
			t.Errorf("%s %s: got %v, want a rejection with code %s and message %q...", tc.appType, tc.appID, err, tc.code, tc.prefix)
			continue
		}
		if tc.appType != platforms.WeCom && rejection.RequestID == "" {
			t.Errorf("%s: the rejection has no request ID: %v", tc.appType, err)
		}
		if !strings.Contains(err.Error(), tc.code) {
			t.Errorf("%s: %q does not quote the code", tc.appType, err)
		}
	}
}

// Credentials that passed are not asked about again by any Checker sharing the Memory; another
// memory, or another endpoint, asks again.
func TestAcceptedCredentialsAreAskedAboutOnce(t *testing.T) {
	env := newSimEnv(t, 0)
	ctx := context.Background()
	shared := &appcheck.Memory{}
	for range 2 {
		c := env.newChecker(t, 0, shared)
		for appType, id := range apps {
			for range 2 {
				if err := c.Check(ctx, appType, id, secret); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for appType := range apps {
		if got := env.tokenCalls()[appType]; got != 1 {
			t.Errorf("%s: %d token calls, want 1", appType, got)
		}
	}
	// A wrong secret is never remembered: each check asks again.
	for range 2 {
		if err := env.newChecker(t, 0, shared).Check(ctx, platforms.Lark, apps[platforms.Lark], "other"+secret); err == nil {
			t.Fatal("a wrong secret passed")
		}
	}
	if err := env.newChecker(t, 0, nil).Check(ctx, platforms.Lark, apps[platforms.Lark], secret); err != nil {
		t.Fatal(err)
	}
	if got := env.tokenCalls()[platforms.Lark]; got != 4 {
		t.Errorf("%d Lark token calls, want 4: one remembered, two wrong, one with a memory of its own", got)
	}
}

// Connection errors, 429 and 5xx are retried; when they last, there is no verdict, and the
// error says why without the URL's query.
func TestUnreachablePlatformsAreRetriedThenUnavailable(t *testing.T) {
	for _, fault := range []simulator.Fault{{Status: 503}, {Status: 429, RetryAfter: 0}, {Drop: simulator.DropBeforeCommit}} {
		env := newSimEnv(t, 2)
		for appType, id := range apps {
			env.sim.ClearFaults()
			env.sim.ClearRequests()
			transient := fault
			transient.Times = 2
			if err := env.sim.InjectFault(transient); err != nil {
				t.Fatal(err)
			}
			if err := env.checker.Check(context.Background(), appType, id, secret); err != nil {
				t.Errorf("%s after two faults %+v: %v", appType, fault, err)
			}
			env.sim.ClearFaults()
			if err := env.sim.InjectFault(fault); err != nil {
				t.Fatal(err)
			}
			err := env.checker.Check(context.Background(), appType, id, "u"+secret)
			var unavailable *appcheck.UnavailableError
			if !errors.As(err, &unavailable) {
				t.Errorf("%s under %+v: got %v, want an UnavailableError", appType, fault, err)
				continue
			}
			// Go's transport itself retries a GET whose reused connection was dropped, so only
			// the answered faults are counted exactly.
			if got := env.tokenCalls()[appType]; got != 3+3 && fault.Drop == "" || got < 3+3 {
				t.Errorf("%s: %d token calls, want 3 + 3 (each check tried 3 times)", appType, got)
			}
			expectNoSecret(t, "the error", err.Error())
			if strings.Contains(err.Error(), "corpsecret") {
				t.Errorf("the error quotes WeCom's query: %v", err)
			}
		}
		expectNoSecret(t, "the log", env.logs.Text())
	}
}

// Busy answers (WeCom's errcode -1, Lark's 99991400) and answers no platform gives are no verdict.
func TestBusyAndStrangeAnswersAreNoVerdict(t *testing.T) {
	cases := []struct {
		appType platforms.AppType
		status  int
		answer  string
		reason  string
	}{
		{platforms.WeCom, 200, `{"errcode":-1,"errmsg":"system busy"}`, "busy: code -1"},
		{platforms.Lark, 400, `{"code":99991400,"msg":"request trigger frequency limit"}`, "busy: code 99991400"},
		{platforms.DingTalk, 200, `<html>proxy login</html>`, "not the platform's JSON"},
		{platforms.DingTalk, 401, `{"message":"no code"}`, "neither a token nor an error code (HTTP 401)"},
		{platforms.Lark, 200, `{"code":0,"msg":"ok"}`, "neither a token nor an error code"},
	}
	for _, tc := range cases {
		server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.answer)
		}))
		c, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{tc.appType: server.URL}})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Check(context.Background(), tc.appType, "id", secret)
		server.Close()
		var unavailable *appcheck.UnavailableError
		if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s %d %s: got %v, want no verdict because %q", tc.appType, tc.status, tc.answer, err, tc.reason)
		}
	}
}

// A platform (or a proxy) that repeats the request in its answer, secret included, in the query
// (WeCom) or the body, gets it scrubbed from the error; the token calls are logged without it.
func TestEchoedSecretsAreScrubbed(t *testing.T) {
	env := newSimEnv(t, 1)
	if err := env.sim.InjectFault(simulator.Fault{Status: 400, Echo: true}); err != nil {
		t.Fatal(err)
	}
	for appType, id := range apps {
		err := env.checker.Check(context.Background(), appType, id, secret)
		var rejection *appcheck.Rejection
		if !errors.As(err, &rejection) || !strings.Contains(rejection.Message, "the request was "+platforms.MustFor(appType).Token.Method) {
			t.Errorf("%s: got %v, want a rejection that echoes the request", appType, err)
		}
		expectNoSecret(t, string(appType)+"'s error", err.Error())
	}
	env.sim.ClearFaults()
	for appType, id := range apps {
		if err := env.checker.Check(context.Background(), appType, id, secret); err != nil {
			t.Fatal(err)
		}
	}
	logs := env.logs.Text()
	for _, want := range []string{"Sending WeCom request", "query:***", "Received Lark response", "DingTalk accepted the app credentials"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
	expectNoSecret(t, "the log", logs)
	if strings.Contains(logs, simulator.PlatformTokenPrefix) {
		t.Errorf("the log holds an issued token:\n%s", logs)
	}
	for _, r := range env.sim.Requests() {
		expectNoSecret(t, "the simulator's request log", r.Query)
		if r.SecretFingerprint != simulator.Fingerprint(secret) {
			t.Errorf("%s %s: logged with fingerprint %q, want the secret's", r.Method, r.Path, r.SecretFingerprint)
		}
	}
}

// A redirect is never followed: the secret would go to an address nobody configured.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var elsewhere int
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere++ }))
	defer other.Close()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect) //nolint:gosec // G710: the redirect this test proves is not followed.
	}))
	defer server.Close()
	for appType := range apps {
		c, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{appType: server.URL}})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Check(context.Background(), appType, "id", secret)
		var unavailable *appcheck.UnavailableError
		if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), "a redirect, which the provider does not follow") {
			t.Errorf("%s: got %v, want no verdict because of the redirect", appType, err)
		}
		expectNoSecret(t, "the error", err.Error())
	}
	if elsewhere != 0 {
		t.Fatalf("the redirect target got %d requests", elsewhere)
	}
}
