package readiness_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Off makes no platform call at all, and needs no client.
func TestOffMakesNoCall(t *testing.T) {
	e := newEnv(t)
	for _, c := range []*readiness.Checker{e.newChecker(t, readiness.Config{Mode: readiness.Off}, 0), e.newChecker(t, readiness.Config{}, 0)} {
		for _, p := range platforms.All() {
			// Only the checks that need no call, which find a ready binding ready.
			for _, v := range e.checkWith(c, p.AppType, nil) {
				if f, _ := p.Field(v.Attribute); f.SameAs == "" || v.Outcome != readiness.Ready {
					t.Errorf("%s: off gave the verdict %s", p.AppType, render(v))
				}
			}
		}
	}
	if calls := e.calls(); len(calls) != 0 {
		t.Errorf("off made calls: %v", calls)
	}
	if _, err := readiness.New(readiness.Config{Mode: readiness.Off}); err != nil {
		t.Errorf("off without a client: %v", err)
	}
	if _, err := readiness.New(readiness.Config{Mode: readiness.Enforce}); err == nil {
		t.Error("enforce without a client was accepted")
	}
	if _, err := readiness.New(readiness.Config{Mode: "strict"}); err == nil || !strings.Contains(err.Error(), `"off", "warn", "enforce"`) {
		t.Errorf("an unknown mode: %v", err)
	}
}

// What each verdict adds to a plan, by mode: a wrong value is an error only under enforce; no
// verdict is always a warning; off, whose checks need no call (Local), warns.
func TestSeverityByModeAndOutcome(t *testing.T) {
	want := map[readiness.Mode][3]readiness.Severity{
		readiness.Off:     {readiness.Silent, readiness.Warning, readiness.Warning},
		readiness.Warn:    {readiness.Silent, readiness.Warning, readiness.Warning},
		readiness.Enforce: {readiness.Silent, readiness.Error, readiness.Warning},
	}
	for _, m := range readiness.Modes() {
		for o, severity := range want[m] {
			if got := m.Severity(readiness.Outcome(o)); got != severity {
				t.Errorf("%s, %s: severity %d, want %d", m, readiness.Outcome(o), got, severity)
			}
		}
		if parsed, err := readiness.ParseMode(string(m)); err != nil || parsed != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, parsed, err)
		}
	}
	if m, err := readiness.ParseMode(""); err != nil || m != readiness.Off {
		t.Errorf(`ParseMode("") = %q, %v; want off, the default`, m, err)
	}
}

// Every platform has its checks: a platform added without them would be checked by nothing.
func TestEveryPlatformHasChecks(t *testing.T) {
	e := newEnv(t)
	for _, p := range platforms.All() {
		values := map[string]string{}
		for _, name := range append(p.NonSecretNames(), p.SecretNames()...) {
			values[name] = "x"
		}
		if verdicts := e.checker.Check(context.Background(), readiness.Binding{AppType: p.AppType, Values: values}); len(verdicts) == 0 {
			t.Errorf("%s has no readiness checks", p.AppType)
		}
	}
}

// A value not known yet (it depends on another resource) is not sent: the checks that need it
// could not tell, and make no call.
func TestUnknownValuesAreNotChecked(t *testing.T) {
	e := newEnv(t)
	verdicts := e.check(platforms.WeCom, map[string]string{"service_id": ""})
	if got := renderAll(verdicts); !slices.Equal(got[:1], []string{"wecom.credentials could not tell service_id"}) || len(got) != 3 {
		t.Errorf("verdicts %v, want the app's checks not asked and the address book's asked", got)
	}
	if calls := e.calls(); len(calls) != 2 || strings.Contains(strings.Join(calls, " "), "agent/get") {
		t.Errorf("calls %v, want the address book's two", calls)
	}
}

// The platform gives no verdict: WeCom's 60020 (the caller's address is not trusted), throttling
// after the retries, an answer that is not the platform's, a connection that drops. Each is
// "could not tell", never a wrong value, and says why.
func TestNoVerdictFromThePlatform(t *testing.T) {
	type noVerdictCase struct {
		name    string
		appType platforms.AppType
		fault   simulator.Fault
		want    string
		finding string
		calls   int
	}
	cases := []noVerdictCase{
		{"wecom caller IP not trusted", platforms.WeCom,
			simulator.Fault{PathPrefix: "/_platforms/wecom/cgi-bin/agent/", Status: 200, Code: "60020", Message: "not allow to access from your ip"},
			"wecom.agent could not tell service_id 60020", "not among the app's trusted IP addresses", 4},
		{"wecom busy", platforms.WeCom, simulator.Fault{PathPrefix: "/_platforms/wecom/cgi-bin/user/", Status: 200, Code: "45009", Message: "api freq out of limit"},
			"wecom.address_book could not tell address_book_key 45009", "throttling or busy", 4},
		{"dingtalk throttled after the retries", platforms.DingTalk, simulator.Fault{PathPrefix: "/_platforms/dingtalk/v1.0/microApp/", Status: 429},
			"dingtalk.service could not tell service_id Throttling", "throttling or busy", 5},
		{"dingtalk throttling by code", platforms.DingTalk,
			simulator.Fault{PathPrefix: "/_platforms/dingtalk/v1.0/im/", Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi", Message: "qps"},
			"dingtalk.group_template could not tell group_template_id Forbidden.AccessDenied.QpsLimitForApi", "throttling or busy", 3},
		{"lark answer from a proxy", platforms.Lark,
			simulator.Fault{PathPrefix: "/_platforms/lark/open-apis/application/", Status: 200, Body: "<html>login</html>", ContentType: "text/html"},
			"lark.scopes could not tell app_id", "not the platform's JSON", 3},
		{"lark token call unreachable", platforms.Lark, simulator.Fault{PathPrefix: "/_platforms/lark/open-apis/auth/", Status: 503},
			"lark.credentials could not tell app_secret", "HTTP 503", 3},
		{"wecom connection dropped", platforms.WeCom, simulator.Fault{PathPrefix: "/_platforms/wecom/cgi-bin/agent/", Drop: simulator.DropBeforeCommit},
			"wecom.agent could not tell service_id", "gave no verdict", 0},
	}
	// A platform checked by its token call alone, busy there: each of its platform's cases.
	for _, p := range platforms.All() {
		if _, ok := readPrefixes[p.AppType]; ok || len(p.Token.Busy) == 0 {
			continue
		}
		cases = append(cases, noVerdictCase{string(p.AppType) + " busy", p.AppType,
			simulator.Fault{PathPrefix: simulator.PlatformPrefix + string(p.AppType) + "/", Status: 200, Code: p.Token.Busy[0], Message: "busy"},
			fmt.Sprintf("%s.credentials could not tell %s", p.AppType, p.SecretNames()[0]), "the platform is busy: code " + p.Token.Busy[0], 1})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if err := e.sim.InjectFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			verdicts := e.check(tc.appType, nil)
			var others []readiness.Verdict
			for _, v := range verdicts {
				if v.Outcome != readiness.Ready {
					others = append(others, v)
				}
			}
			if len(others) != 1 || render(others[0]) != tc.want || !strings.Contains(others[0].Finding, tc.finding) || others[0].Fix == "" {
				t.Fatalf("verdicts\n%s\nwant one %q finding %q", strings.Join(renderAll(verdicts), "\n"), tc.want, tc.finding)
			}
			if tc.fault.Code == "60020" && !strings.Contains(others[0].Fix, "COC's own addresses must be trusted too") {
				t.Errorf("60020 does not say that COC's addresses must be trusted: %q", others[0].Fix)
			}
			// Go's transport retries a dropped GET on its own, so only answered faults are counted.
			if calls := e.calls(); tc.calls > 0 && len(calls) != tc.calls {
				t.Errorf("%d calls, want %d (retries included): %v", len(calls), tc.calls, calls)
			}
		})
	}
}

// readPrefixes are where each platform's reads are, in the simulator.
var readPrefixes = map[platforms.AppType][]string{
	platforms.WeCom:    {"/_platforms/wecom/cgi-bin/agent/", "/_platforms/wecom/cgi-bin/user/"},
	platforms.DingTalk: {"/_platforms/dingtalk/v1.0/im/", "/_platforms/dingtalk/v1.0/microApp/"},
	platforms.Lark:     {"/_platforms/lark/open-apis/bot/", "/_platforms/lark/open-apis/application/"},
}

// A platform that echoes the request, access token and secrets included, in its error does not
// get them into a verdict or the log.
func TestEchoedTokensAndSecretsAreScrubbed(t *testing.T) {
	e := newEnv(t)
	for _, p := range platforms.All() {
		e.sim.ClearFaults()
		// The reads of each platform answer with the request echoed, the token calls succeeding;
		// a platform checked by its token call alone echoes there.
		prefixes, ok := readPrefixes[p.AppType]
		if !ok {
			prefixes = []string{simulator.PlatformPrefix + string(p.AppType) + "/"}
		}
		for _, prefix := range prefixes {
			if err := e.sim.InjectFault(simulator.Fault{PathPrefix: prefix, Status: http.StatusBadRequest, Echo: true}); err != nil {
				t.Fatal(err)
			}
		}
		verdicts := e.check(p.AppType, nil)
		echoed := 0
		for _, v := range verdicts {
			expectClean(t, string(p.AppType)+"'s verdict", fmt.Sprintf("%+v", v))
			if strings.Contains(v.Message, "the request was") {
				echoed++
			}
		}
		if echoed == 0 {
			t.Errorf("%s: no verdict quotes the echo, so the test proves nothing: %+v", p.AppType, verdicts)
		}
	}
	expectClean(t, "the log", e.logs.Text())
	for _, r := range e.sim.Requests() {
		expectClean(t, "the simulator's request log", r.Query)
	}
}

// The checks of a binding are asked once per process for the same app, values and endpoint: a
// second plan asks nothing; a changed value asks again only what it changes; a Checker sharing
// the cache asks nothing; one with a cache of its own, or another endpoint, asks again.
func TestEachProbeIsAskedOnce(t *testing.T) {
	e := newEnv(t)
	shared := &readiness.Cache{}
	first := e.newChecker(t, readiness.Config{Mode: readiness.Warn, Cache: shared}, 0)
	want := e.checkWith(first, platforms.WeCom, nil)
	if calls := e.calls(); len(calls) != 4 {
		t.Fatalf("first check: %d calls", len(calls))
	}
	for _, c := range []*readiness.Checker{first, e.newChecker(t, readiness.Config{Mode: readiness.Enforce, Cache: shared}, 0)} {
		if got := e.checkWith(c, platforms.WeCom, nil); !slices.Equal(renderAll(got), renderAll(want)) {
			t.Errorf("remembered verdicts %v, want %v", renderAll(got), renderAll(want))
		}
	}
	if calls := e.calls(); len(calls) != 0 {
		t.Errorf("the same checks asked again: %v", calls)
	}
	if e.logs.Count("WeCom answered these checks of this app before") != 4 {
		t.Errorf("the log does not say that the checks were remembered:\n%s", e.logs.Text())
	}
	// service_id is the app's probe's alone: the address book's is remembered.
	e.checkWith(first, platforms.WeCom, map[string]string{"service_id": "1000003"})
	if calls := e.calls(); !slices.Equal(calls, []string{"GET /_platforms/wecom/cgi-bin/gettoken", "GET /_platforms/wecom/cgi-bin/agent/get"}) {
		t.Errorf("a changed service_id asked %v, want the app's token and agent", calls)
	}
	e.checkWith(e.newChecker(t, readiness.Config{Mode: readiness.Warn}, 0), platforms.WeCom, nil)
	if calls := e.calls(); len(calls) != 4 {
		t.Errorf("a cache of its own asked %d calls, want 4", len(calls))
	}
	elsewhere := httptest.NewServer(e.sim)
	t.Cleanup(elsewhere.Close)
	other := *e
	other.url = elsewhere.URL
	e.checkWith(other.newChecker(t, readiness.Config{Mode: readiness.Warn, Cache: shared}, 0), platforms.WeCom, nil)
	if calls := e.calls(); len(calls) != 4 {
		t.Errorf("another endpoint asked %d calls, want 4", len(calls))
	}
	// Not ready is remembered too: a secret reset is asked about once per process.
	for range 2 {
		e.checkWith(first, platforms.Lark, map[string]string{"app_secret": "reset"})
	}
	if calls := e.calls(); len(calls) != 1 {
		t.Errorf("a refused secret asked %d times, want once", len(calls))
	}
}

// Concurrent plans of the same binding share one set of calls.
func TestConcurrentChecksShareTheCalls(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Go(func() { results[i] = renderAll(e.check(platforms.DingTalk, nil)) })
	}
	wg.Wait()
	for _, r := range results {
		if !slices.Equal(r, results[0]) || len(r) != 3 {
			t.Errorf("verdicts %v, want %v", r, results[0])
		}
	}
	if calls := e.calls(); len(calls) != 3 {
		t.Errorf("8 concurrent checks made %d calls, want 3", len(calls))
	}
}

// The checks of one binding end within their bound, retries and Retry-After waits included:
// a platform that holds the call, or asks to come back later than the bound, is no verdict,
// and the calls after it are not made.
func TestChecksEndWithinTheirBound(t *testing.T) {
	for name, fault := range map[string]simulator.Fault{
		"held":        {PathPrefix: "/_platforms/wecom/cgi-bin/agent/", LatencyMS: 60_000},
		"retry later": {PathPrefix: "/_platforms/wecom/cgi-bin/agent/", Status: 429, RetryAfter: 60},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if err := e.sim.InjectFault(fault); err != nil {
				t.Fatal(err)
			}
			// The default backoff honours a Retry-After of up to a minute.
			apps, err := appcheck.New(appcheck.Config{Endpoints: e.endpoints(), MaxRetries: 5})
			if err != nil {
				t.Fatal(err)
			}
			c, err := readiness.New(readiness.Config{Mode: readiness.Warn, Apps: apps, Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			verdicts := e.checkWith(c, platforms.WeCom, nil)
			got := renderAll(verdicts)
			want := []string{"wecom.credentials ready enterprise_key", "wecom.agent could not tell service_id", "wecom.address_book_credentials could not tell address_book_key"}
			if !slices.Equal(got, want) {
				t.Fatalf("verdicts %v, want %v", got, want)
			}
			if !strings.Contains(verdicts[1].Finding, "did not answer within the 300ms") {
				t.Errorf("the verdict does not name the bound: %q", verdicts[1].Finding)
			}
			// A held call is logged when the simulator notices that its client gave up, which may
			// be after Check returns: the fault's count says how often agent/get was tried.
			if fired := e.sim.Faults()[0].Fired; fired != 1 {
				t.Errorf("agent/get tried %d times, want once: no retry after the bound", fired)
			}
			if calls := slices.DeleteFunc(e.calls(), func(c string) bool { return strings.HasSuffix(c, "/agent/get") }); !slices.Equal(calls, []string{"GET /_platforms/wecom/cgi-bin/gettoken"}) {
				t.Errorf("calls besides agent/get %v, want the first token call alone: none after the bound", calls)
			}
		})
	}
}

// Without a Timeout, the bound is 30 seconds from the start of the checks.
func TestTheDefaultBoundIs30Seconds(t *testing.T) {
	var deadlines []time.Time
	start := time.Now()
	transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		deadline, ok := r.Context().Deadline()
		if !ok {
			t.Error("a call without a deadline")
		}
		deadlines = append(deadlines, deadline)
		return nil, fmt.Errorf("no network in this test")
	})
	apps, err := appcheck.New(appcheck.Config{HTTPClient: &http.Client{Transport: transport}, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	c, err := readiness.New(readiness.Config{Mode: readiness.Warn, Apps: apps})
	if err != nil {
		t.Fatal(err)
	}
	c.Check(context.Background(), readiness.Binding{AppType: platforms.Lark, Values: readyBindings()[platforms.Lark]})
	end := time.Now()
	if len(deadlines) != 1 || deadlines[0].Before(start.Add(30*time.Second)) || deadlines[0].After(end.Add(30*time.Second)) {
		t.Errorf("deadlines %v, want one 30s after the checks started (between %v and %v)", deadlines, start.Add(30*time.Second), end.Add(30*time.Second))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
