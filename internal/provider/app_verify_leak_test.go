package provider

import (
	"net/url"
	"os"
	"path/filepath"
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
	logFile := filepath.Join(t.TempDir(), "trace.log")
	w := newCLIWorkspace(t, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH="+logFile)
	config := leakConfig{env: env}
	leaks := newLeakCheck(env.tenants[0].SecretKey)
	for _, tag := range []string{"v1", "v2"} {
		values := config.values(tag)
		for _, pc := range platformCases {
			var secrets []string
			for _, s := range pc.platform.Secrets {
				secrets = append(secrets, values[leakVariable(pc, s)])
			}
			if err := env.sim.AcceptAppCredentials(simulator.AppCredentials{AppType: pc.appType, AppID: pc.ids[0], Secrets: secrets}); err != nil {
				t.Fatal(err)
			}
		}
	}

	var outputs strings.Builder
	run := func(args ...string) {
		out := w.terraform(t, args...)
		outputs.WriteString(out)
	}
	fail := func(want string, args ...string) {
		out, err := w.run(args...)
		outputs.WriteString(out)
		if err == nil || !errorPattern(want).MatchString(out) {
			t.Fatalf("terraform %s: want a failure mentioning %q, got %v:\n%s", strings.Join(args, " "), want, err, out)
		}
	}
	write := func(tag string, version int) {
		main := strings.Replace(config.main(version), "provider \"coc\" {\n", "provider \"coc\" {\n  "+strings.Join(env.verificationLines(), "\n  ")+"\n", 1)
		w.writeConfig(t, main)
		values := config.values(tag)
		for name, v := range values {
			if name != "secret_key" && name != "security_token" {
				leaks.add(v)
			}
		}
		writeTFVars(t, w, values)
	}
	inject := func(f simulator.Fault) {
		env.sim.ClearFaults()
		if err := env.sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}

	write("v1", 1)
	run("apply", "-auto-approve", "-input=false", "-no-color")
	write("v2", 2)
	run("apply", "-auto-approve", "-input=false", "-no-color")
	write("v3", 3)
	fail("Rejected the App Credentials", "plan", "-input=false", "-no-color")
	inject(simulator.Fault{PathPrefix: simulator.PlatformPrefix, Status: 400, Echo: true})
	fail("the request was", "plan", "-input=false", "-no-color")
	inject(simulator.Fault{PathPrefix: simulator.PlatformPrefix, Drop: simulator.DropBeforeCommit})
	fail("Could Not Verify", "plan", "-input=false", "-no-color")
	env.sim.ClearFaults()
	write("v2", 2)
	run("show", "-no-color")
	leaks.checkState(t, w, config.storedValues())
	run("destroy", "-auto-approve", "-input=false", "-no-color")

	trace, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sending WeCom request", "Received DingTalk response", "Lark accepted the app credentials", "will be retried"} {
		if !strings.Contains(string(trace), want) {
			t.Fatalf("the TRACE log lacks %q, so it does not capture the token calls (%d bytes)", want, len(trace))
		}
	}
	for where, text := range map[string]string{"the TRACE log": string(trace), "terraform's output": outputs.String()} {
		leaks.check(t, where, text)
		for _, s := range leaks.secrets {
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
