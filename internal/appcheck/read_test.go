package appcheck_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Token returns the token a platform issued, and the credentials then count as passed: Check
// does not ask again.
func TestTokenIsIssuedAndCountsAsPassed(t *testing.T) {
	env := newSimEnv(t, 0)
	for appType, id := range apps {
		token, err := env.checker.Token(context.Background(), appType, id, secret)
		if err != nil || !strings.HasPrefix(token, simulator.PlatformTokenPrefix) {
			t.Fatalf("%s: token %q, %v", appType, token, err)
		}
		if err := env.checker.Check(context.Background(), appType, id, secret); err != nil {
			t.Fatal(err)
		}
		if got := env.tokenCalls()[appType]; got != 1 {
			t.Errorf("%s: %d token calls, want 1: Check asked again", appType, got)
		}
	}
	if _, err := env.checker.Token(context.Background(), platforms.Lark, apps[platforms.Lark], "wrong"); err == nil {
		t.Error("a wrong secret got a token")
	}
}

// A read goes through the platform's client: the answer's error words are read as the token
// call's, the token appears in no error and no log, and whatever is not the platform's JSON,
// or too long to be, is said so.
func TestReadsAnswerInThePlatformsWords(t *testing.T) {
	env := newSimEnv(t, 1)
	ctx := context.Background()
	token, err := env.checker.Token(ctx, platforms.WeCom, apps[platforms.WeCom], secret)
	if err != nil {
		t.Fatal(err)
	}
	agent := appcheck.Read{Method: http.MethodGet, Path: "/cgi-bin/agent/get", Query: url.Values{"access_token": {token}, "agentid": {"1000002"}}, Secrets: []string{token}}
	a, err := env.checker.Read(ctx, platforms.WeCom, agent)
	if err != nil || a.Failed || a.Code != "0" || a.Status != 200 || string(a.Members["close"]) != "0" {
		t.Fatalf("agent/get: %+v, %v", a, err)
	}
	if err := env.sim.InjectFault(simulator.Fault{PathPrefix: simulator.PlatformPrefix + "wecom/cgi-bin/agent", Status: 200, Code: "60020", Echo: true}); err != nil {
		t.Fatal(err)
	}
	a, err = env.checker.Read(ctx, platforms.WeCom, agent)
	if err != nil || !a.Failed || a.Busy || a.Code != "60020" || !strings.Contains(a.Message, "the request was GET") || a.Describe() == "" {
		t.Fatalf("an echoed refusal: %+v, %v", a, err)
	}
	if strings.Contains(a.Message, token) {
		t.Errorf("the answer's message holds the token: %s", a.Message)
	}
	env.sim.ClearFaults()
	if err := env.sim.InjectFault(simulator.Fault{PathPrefix: simulator.PlatformPrefix + "wecom/cgi-bin/agent", Status: 200, Code: "45009"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := env.checker.Read(ctx, platforms.WeCom, agent); !a.Busy {
		t.Errorf("45009 is not busy: %+v", a)
	}
	env.sim.ClearFaults()
	if err := env.sim.InjectFault(simulator.Fault{PathPrefix: simulator.PlatformPrefix + "wecom/cgi-bin/agent", Drop: simulator.DropBeforeCommit}); err != nil {
		t.Fatal(err)
	}
	_, err = env.checker.Read(ctx, platforms.WeCom, agent)
	var unavailable *appcheck.UnavailableError
	if !errors.As(err, &unavailable) || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "access_token=") {
		t.Errorf("a dropped read: %v", err)
	}
	logs := env.logs.Text()
	if strings.Contains(logs, token) || !strings.Contains(logs, "path:/_platforms/wecom/cgi-bin/agent/get query:***") {
		t.Errorf("the log shows the token, or not the read:\n%s", logs)
	}

	for name, body := range map[string]string{"a proxy's page": "<html>sign in</html>", "a long answer": `{"x":"` + strings.Repeat("x", 1<<20) + `"}`} {
		server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) }))
		c, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{platforms.Lark: server.URL}})
		if err != nil {
			t.Fatal(err)
		}
		a, err := c.Read(ctx, platforms.Lark, appcheck.Read{Method: http.MethodGet, Path: "/open-apis/bot/v3/info"})
		server.Close()
		switch name {
		case "a proxy's page":
			if err != nil || a.Members != nil || a.Status != 200 {
				t.Errorf("%s: %+v, %v", name, a, err)
			}
		default:
			if !errors.As(err, &unavailable) || !strings.Contains(err.Error(), "exceeds") {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
