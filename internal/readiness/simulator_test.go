package readiness_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// Secrets hold characters that URL and JSON encoding change, so that an encoded copy in a
// verdict or a log would be noticed.
const (
	appSecret      = `app-S3cr3t+/<&>"\%=x`
	contactsSecret = `contacts-S3cr3t+/<&>"\%=y`
	dingSecret     = `ding-S3cr3t+/<&>"\%=z0123456789012345678901234567890123456789012345678`
	larkSecret     = `lark-S3cr3t+/<&>"\%=w`
)

var fastBackoff = hwhttp.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 20 * time.Millisecond}

// readyBindings are a binding of each platform that the simulator's apps, registered by newEnv
// without anything more, find ready. A platform checked by its token call alone binds its
// examples, and a secret per secret attribute (genericSecret).
func readyBindings() map[platforms.AppType]map[string]string {
	ready := map[platforms.AppType]map[string]string{
		platforms.WeCom: {"enterprise_id": "ww0123456789abcdef", "service_id": "1000002", "enterprise_key": appSecret, "address_book_key": contactsSecret},
		platforms.DingTalk: {"client_id": "dingabcdefghij012345", "client_secret": dingSecret, "group_template_id": "tpl-0001",
			"robot_id": "robot-0001", "service_id": "2000001"},
		platforms.Lark: {"app_id": "cli_a1b2c3d4e5f6a7b8", "app_secret": larkSecret, "service_id": "cli_a1b2c3d4e5f6a7b8"},
	}
	for _, p := range platforms.All() {
		if _, ok := ready[p.AppType]; ok {
			continue
		}
		values := map[string]string{p.Identifier.Name: p.Identifier.Examples[0]}
		for _, f := range p.Fields {
			values[f.Name] = f.Examples[0]
		}
		for _, name := range p.SecretNames() {
			values[name] = genericSecret(p, name)
		}
		ready[p.AppType] = values
	}
	return ready
}

// genericSecret is the secret of a platform checked by its token call alone, as long as its
// attribute allows.
func genericSecret(p platforms.Platform, name string) string {
	f, _ := p.Field(name)
	secret := string(p.AppType) + "-" + name + `-S3cr3t+/<&>"\%=`
	for len(secret) < f.SecretLength[0] {
		secret += "0"
	}
	return secret
}

// secretsOf are the secrets of the ready bindings.
func secretsOf() []string {
	var out []string
	for appType, values := range readyBindings() {
		for _, name := range platforms.MustFor(appType).SecretNames() {
			out = append(out, values[name])
		}
	}
	return out
}

var allSecrets = secretsOf()

// env is a simulator whose platforms know the apps of readyBindings, and a Checker asking it.
type env struct {
	sim     *simulator.Simulator
	url     string
	logs    *testkit.Logger
	checker *readiness.Checker
}

// newEnv registers the apps with what apps says of them (an app type left out is registered
// as it is ready) and builds a Checker in warn mode.
func newEnv(t *testing.T, apps ...simulator.AppCredentials) *env {
	t.Helper()
	sim := simulator.New(nil, simulator.WithSeed(1))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	e := &env{sim: sim, url: server.URL, logs: &testkit.Logger{}}
	ready := readyBindings()
	registered := []simulator.AppCredentials{
		{AppType: platforms.WeCom, AppID: ready[platforms.WeCom]["enterprise_id"], Secrets: []string{appSecret, contactsSecret}},
		{AppType: platforms.DingTalk, AppID: ready[platforms.DingTalk]["client_id"], Secrets: []string{dingSecret}},
		{AppType: platforms.Lark, AppID: ready[platforms.Lark]["app_id"], Secrets: []string{larkSecret}},
	}
	for _, p := range platforms.All() {
		if _, ok := readPrefixes[p.AppType]; !ok {
			app := simulator.AppCredentials{AppType: p.AppType, AppID: ready[p.AppType][p.Identifier.Name]}
			for _, name := range p.SecretNames() {
				app.Secrets = append(app.Secrets, ready[p.AppType][name])
			}
			registered = append(registered, app)
		}
	}
	for _, app := range append(registered, apps...) {
		if err := sim.AcceptAppCredentials(app); err != nil {
			t.Fatal(err)
		}
	}
	e.checker = e.newChecker(t, readiness.Config{Mode: readiness.Warn}, 2)
	return e
}

// newChecker builds a Checker asking e's platforms with cfg, and maxRetries.
func (e *env) newChecker(t *testing.T, cfg readiness.Config, maxRetries int) *readiness.Checker {
	t.Helper()
	apps, err := appcheck.New(appcheck.Config{Endpoints: e.endpoints(), MaxRetries: maxRetries, Backoff: fastBackoff, Logger: e.logs})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apps, cfg.Logger = apps, e.logs
	c, err := readiness.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// endpoints are the simulator's platforms.
func (e *env) endpoints() map[platforms.AppType]string {
	endpoints := map[platforms.AppType]string{}
	for _, p := range platforms.All() {
		endpoints[p.AppType] = e.url + simulator.PlatformPrefix + string(p.AppType)
	}
	return endpoints
}

// check checks a binding of appType: the ready binding with changes.
func (e *env) check(appType platforms.AppType, changes map[string]string) []readiness.Verdict {
	return e.checkWith(e.checker, appType, changes)
}

func (e *env) checkWith(c *readiness.Checker, appType platforms.AppType, changes map[string]string) []readiness.Verdict {
	values := readyBindings()[appType]
	for k, v := range changes {
		values[k] = v
	}
	return c.Check(context.Background(), readiness.Binding{AppType: appType, Values: values})
}

// calls lists the platform calls the simulator saw, as "METHOD path", and clears the log.
func (e *env) calls() []string {
	var out []string
	for _, r := range e.sim.Requests() {
		if strings.HasPrefix(r.Path, simulator.PlatformPrefix) {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	e.sim.ClearRequests()
	return out
}

// allowed are the only calls the checks may make: the token calls and the reads of the issue.
var allowed = []string{
	"GET /_platforms/wecom/cgi-bin/gettoken", "GET /_platforms/wecom/cgi-bin/agent/get", "POST /_platforms/wecom/cgi-bin/user/list_id",
	"POST /_platforms/dingtalk/v1.0/oauth2/accessToken", "GET /_platforms/dingtalk/v1.0/im/chats/sceneGroups/templates/lists",
	"GET /_platforms/dingtalk/v1.0/microApp/allInnerApps",
	"POST /_platforms/lark/open-apis/auth/v3/tenant_access_token/internal", "GET /_platforms/lark/open-apis/bot/v3/info",
	"GET /_platforms/lark/open-apis/application/v6/scopes",
}

// expectClean fails if text holds a secret in any spelling, or an access token.
func expectClean(t *testing.T, where, text string) {
	t.Helper()
	for _, secret := range allSecrets {
		for _, form := range hwhttp.Spellings(secret) {
			if strings.Contains(text, form) {
				t.Errorf("%s holds a secret (as %q):\n%s", where, form, text)
			}
		}
	}
	if strings.Contains(text, simulator.PlatformTokenPrefix) {
		t.Errorf("%s holds an access token:\n%s", where, text)
	}
}

// render is a verdict as the tests compare it: check, outcome, attribute and code.
func render(v readiness.Verdict) string {
	out := fmt.Sprintf("%s %s %s", v.Check, v.Outcome, v.Attribute)
	if v.Code != "" {
		out += " " + v.Code
	}
	return out
}

func renderAll(verdicts []readiness.Verdict) []string {
	out := make([]string, len(verdicts))
	for i, v := range verdicts {
		out[i] = render(v)
	}
	return out
}

// A registered app is ready on every platform, and the checks make the calls the issue allows,
// no more: WeCom 4, DingTalk 3 (one page of templates), Lark 3.
func TestRegisteredAppsAreReadyWithinTheirCalls(t *testing.T) {
	e := newEnv(t)
	want := map[platforms.AppType][]string{
		platforms.WeCom: {"wecom.credentials ready enterprise_key", "wecom.agent ready service_id", "wecom.agent_enabled ready service_id",
			"wecom.agent_visibility ready service_id", "wecom.address_book_credentials ready address_book_key", "wecom.address_book ready address_book_key"},
		platforms.DingTalk: {"dingtalk.credentials ready client_secret", "dingtalk.group_template ready group_template_id", "dingtalk.service ready service_id"},
		platforms.Lark: {"lark.credentials ready app_secret", "lark.bot ready app_id", "lark.ip_allow_list ready app_id", "lark.scopes ready app_id",
			"lark.service_id ready service_id"},
	}
	maxCalls := map[platforms.AppType]int{platforms.WeCom: 4, platforms.DingTalk: 3, platforms.Lark: 3}
	allowed := slices.Clone(allowed)
	for _, p := range platforms.All() {
		if _, ok := want[p.AppType]; !ok {
			// Checked by its token call alone: one ready verdict and one call per secret.
			for _, name := range p.SecretNames() {
				want[p.AppType] = append(want[p.AppType], string(p.AppType)+".credentials ready "+name)
			}
			maxCalls[p.AppType] = len(p.SecretNames())
			allowed = append(allowed, p.Token.Method+" "+simulator.PlatformPrefix+string(p.AppType)+p.Token.Path)
		}
		verdicts := e.check(p.AppType, nil)
		if got := renderAll(verdicts); !slices.Equal(got, want[p.AppType]) {
			t.Errorf("%s: verdicts\n%s\nwant\n%s", p.AppType, strings.Join(got, "\n"), strings.Join(want[p.AppType], "\n"))
		}
		calls := e.calls()
		if len(calls) != maxCalls[p.AppType] {
			t.Errorf("%s: %d calls %v, want %d", p.AppType, len(calls), calls, maxCalls[p.AppType])
		}
		for _, c := range calls {
			if !slices.Contains(allowed, c) {
				t.Errorf("%s: the checks called %s, which no check may", p.AppType, c)
			}
		}
		for _, v := range verdicts {
			expectClean(t, "a verdict", fmt.Sprintf("%+v", v))
		}
	}
	expectClean(t, "the log", e.logs.Text())
}
