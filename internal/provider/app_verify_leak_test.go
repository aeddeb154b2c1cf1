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
	env := newSimEnv(t, 0)
	env.tenants[0] = simulator.Tenant{AccessKey: "AKLEAKCHECK", SecretKey: `SK-check<>"&\-0123456789`, DomainID: "domain-leak-check"}
	env.sim.AddTenant(env.tenants[0])
	r := newLeakRun(t, env.sim, newCLIWorkspace)
	r.leaks.add(env.tenants[0].SecretKey)
	r.config = leakConfig{env: env, providerLines: env.verificationLines()}
	for _, tag := range []string{"v1", "v2"} {
		values := r.config.values(tag)
		for _, pc := range platformCases {
			var secrets []string
			for _, s := range pc.platform.SecretNames() {
				secrets = append(secrets, values[leakVariable(pc, s)])
			}
			if err := env.sim.AcceptAppCredentials(simulator.AppCredentials{AppType: pc.appType, AppID: pc.ids[0], Secrets: secrets}); err != nil {
				t.Fatal(err)
			}
		}
	}

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
	if !slices.ContainsFunc(env.sim.Requests(), func(r simulator.RequestRecord) bool {
		return r.Fault != "" && strings.HasPrefix(r.Path, simulator.PlatformPrefix)
	}) {
		t.Fatal("no injected fault reached a token call")
	}
}
