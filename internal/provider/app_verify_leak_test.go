package provider

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The leak suite for the platforms' token calls: the scenarios of TestCLI_SecretsNeverLeak's
// configuration with verify_app_credentials on (create, rotate, a rejected rotation, a platform
// that echoes the request in its answer, one that drops the connection), the provider as its own
// process and every log at TRACE. No secret may appear anywhere a user or a CI system could see
// it, in any spelling, URL-encoded (WeCom's query) included, nor its SHA-256, nor a token a
// platform issued.
func TestCLI_TokenCallsNeverLeak(t *testing.T) {
	t.Parallel()
	env, r := newPlatformLeakRun(t, func(env *simEnv) []string { return env.verificationLines() })

	r.write("v1", 1)
	r.run("apply", "-auto-approve", "-input=false", "-no-color")
	r.write("v2", 2)
	r.run("apply", "-auto-approve", "-input=false", "-no-color")
	r.write("v3", 3)
	r.fail(errorPattern("Rejected the App Credentials"), "plan", "-input=false", "-no-color")
	r.inject(simulator.Fault{PathPrefix: simulator.PlatformPrefix, Status: 400, Echo: true})
	r.fail(errorPattern("the request was"), "plan", "-input=false", "-no-color")
	r.inject(simulator.Fault{PathPrefix: simulator.PlatformPrefix, Drop: simulator.DropBeforeCommit})
	r.fail(errorPattern("Could Not Verify"), "plan", "-input=false", "-no-color")
	env.sim.ClearFaults()
	r.write("v2", 2)
	r.run("show", "-no-color")
	r.leaks.checkState(t, r.w, r.config.storedValues())
	r.run("destroy", "-auto-approve", "-input=false", "-no-color")

	trace := r.trace("the token calls", "Sending WeCom request", "Received DingTalk response", "Lark accepted the app credentials", "will be retried")
	r.checkPlatformLeaks(trace)
	if !slices.ContainsFunc(env.sim.Requests(), func(r simulator.RequestRecord) bool {
		return r.Fault != "" && strings.HasPrefix(r.Path, simulator.PlatformPrefix)
	}) {
		t.Fatal("no injected fault reached a token call")
	}
}

// The leak suite for the war room readiness checks, whose reads carry the access tokens the
// token calls issue (in WeCom's query, in DingTalk's and Lark's headers): the configuration of
// TestCLI_SecretsNeverLeak with war_room_readiness = "warn", reads that echo the request in their
// answer (which the warnings quote), a platform that drops the connection, a rotation, and
// secrets reset on the platforms. No secret nor token may appear anywhere, in any spelling.
func TestCLI_ReadinessChecksNeverLeak(t *testing.T) {
	t.Parallel()
	env, r := newPlatformLeakRun(t, func(env *simEnv) []string { return env.readinessLines("warn") })

	r.write("v1", 1)
	r.run("apply", "-auto-approve", "-input=false", "-no-color")
	r.sim.ClearFaults()
	for _, prefix := range []string{"wecom/cgi-bin/agent/", "wecom/cgi-bin/user/", "dingtalk/v1.0/im/", "dingtalk/v1.0/microApp/",
		"lark/open-apis/bot/", "lark/open-apis/application/"} {
		if err := r.sim.InjectFault(simulator.Fault{PathPrefix: simulator.PlatformPrefix + prefix, Status: 400, Echo: true}); err != nil {
			t.Fatal(err)
		}
	}
	if out := r.run("plan", "-input=false", "-no-color"); !strings.Contains(out, "the request was") {
		t.Fatalf("no warning quotes the echoed request, so the scenario proves nothing:\n%s", out)
	}
	r.inject(simulator.Fault{PathPrefix: simulator.PlatformPrefix, Drop: simulator.DropBeforeCommit})
	r.run("plan", "-input=false", "-no-color")
	env.sim.ClearFaults()
	r.write("v2", 2)
	r.run("apply", "-auto-approve", "-input=false", "-no-color")
	r.acceptApps(true, "v3")
	if out := r.run("plan", "-input=false", "-no-color"); !strings.Contains(out, "War Room Would Not Open") {
		t.Fatalf("the plan does not report the secrets reset on the platforms:\n%s", out)
	}
	r.leaks.checkState(t, r.w, r.config.storedValues())
	r.run("destroy", "-auto-approve", "-input=false", "-no-color")

	r.checkPlatformLeaks(r.trace("the readiness checks", "Checked whether the WeCom app can open war rooms", "Sending Lark request",
		"Received DingTalk response"))
}

// newPlatformLeakRun is a leak run against a tenant whose secret key has characters that encoding
// changes, with the provider lines lines gives, and the platforms' apps registered with the
// secrets of the configuration's generations v1 and v2.
func newPlatformLeakRun(t *testing.T, lines func(*simEnv) []string) (*simEnv, *leakRun) {
	t.Helper()
	env := newSimEnv(t, 0)
	env.tenants[0] = simulator.Tenant{AccessKey: "AKLEAKCHECK", SecretKey: `SK-check<>"&\-0123456789`, DomainID: "domain-leak-check"}
	env.sim.AddTenant(env.tenants[0])
	r := newLeakRun(t, env.sim, newCLIWorkspace)
	r.leaks.add(env.tenants[0].SecretKey)
	r.config = leakConfig{env: env, providerLines: lines(env)}
	r.acceptApps(false, "v1", "v2")
	return env, r
}

// acceptApps registers every platform's app with the secrets of the configuration's tags, the
// only ones when reset.
func (r *leakRun) acceptApps(reset bool, tags ...string) {
	r.t.Helper()
	for _, pc := range platformCases {
		app := simulator.AppCredentials{AppType: pc.appType, AppID: pc.ids[0], Reset: reset}
		for _, tag := range tags {
			values := r.config.values(tag)
			for _, s := range pc.platform.SecretNames() {
				app.Secrets = append(app.Secrets, values[leakVariable(pc, s)])
			}
		}
		if err := r.sim.AcceptAppCredentials(app); err != nil {
			r.t.Fatal(err)
		}
	}
}

// checkPlatformLeaks checks the TRACE log and terraform's output for the secrets, URL-encoded
// and hashed too, and for the tokens the platforms issued.
func (r *leakRun) checkPlatformLeaks(trace string) {
	t := r.t
	t.Helper()
	for where, text := range map[string]string{"the TRACE log": trace, "terraform's output": r.outputs.String()} {
		r.leaks.check(t, where, text)
		for _, s := range r.leaks.secrets {
			for _, form := range []string{url.QueryEscape(s), simulator.Fingerprint(s)} {
				if strings.Contains(text, form) {
					t.Errorf("%s contains the secret %q as %q", where, s, form)
				}
			}
		}
		if strings.Contains(text, simulator.PlatformTokenPrefix) {
			i := strings.Index(text, simulator.PlatformTokenPrefix)
			t.Errorf("%s contains a token a platform issued: %s", where, text[i:min(len(text), i+60)])
		}
	}
}
