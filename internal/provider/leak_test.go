package provider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// The leak suite runs the scenarios that handle secrets (create, rotate, drift, errors from a
// server that echoes the request, a rejected secret, show, destroy) with the provider as its own
// process and every log at TRACE, and then looks for each secret everywhere a user or a CI
// system could see it: the log, every command's output (plans, diagnostics, errors, show) and,
// for the values that must never be stored, the state file.
func TestCLI_SecretsNeverLeak(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	env.tenants[0] = simulator.Tenant{
		AccessKey: "AKLEAK", SecretKey: `SK-leak<>"&\-0123456789`, DomainID: "domain-leak", SecurityToken: `TOKEN-leak<>"&\-abcdefgh`,
	}
	env.sim.AddTenant(env.tenants[0])
	r := newLeakRun(t, env.sim, newCLIWorkspace)
	r.leaks.add(env.tenants[0].SecretKey, env.tenants[0].SecurityToken)
	r.config = leakConfig{env: env}

	r.write("v1", 1)
	r.run("plan", "-input=false", "-no-color")
	r.run("apply", "-auto-approve", "-input=false", "-no-color")
	r.write("v2", 2)
	r.run("apply", "-auto-approve", "-input=false", "-no-color")

	// Keys changed on the console: the plan warns and re-sends the configured plaintext secrets.
	for _, pc := range platformCases {
		if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, pc.appType, pc.secretValues("console")); err != nil {
			t.Fatal(err)
		}
	}
	if plan := r.run("plan", "-input=false", "-no-color"); !strings.Contains(plan, "Secret Changed Outside Terraform") {
		t.Fatalf("the drift plan shows no warning:\n%s", plan)
	}
	r.run("apply", "-auto-approve", "-input=false", "-no-color")

	// A server that echoes the request, its body and its headers, in its errors.
	r.write("v3", 3)
	r.inject(simulator.Fault{Method: "PUT", Status: 400, Echo: true})
	r.fail(errorPattern("the request was PUT"), "apply", "-auto-approve", "-input=false", "-no-color")
	r.inject(simulator.Fault{Method: "GET", Status: 400, Echo: true})
	r.fail(errorPattern("X-Security-Token: ***"), "plan", "-input=false", "-no-color")
	env.sim.ClearFaults()
	r.run("apply", "-auto-approve", "-input=false", "-no-color")

	// A secret that fails validation is not repeated in the error.
	bad := r.config.values("v3")
	bad["lark_app_secret"] = "bad secret v3"
	r.leaks.add(bad["lark_app_secret"])
	writeTFVars(t, r.w, bad)
	r.fail(errorPattern("The value is not shown because it is secret"), "plan", "-input=false", "-no-color")
	r.write("v3", 3)

	r.run("show", "-no-color")
	r.leaks.checkState(t, r.w, r.config.storedValues())
	r.run("destroy", "-auto-approve", "-input=false", "-no-color")

	trace := r.trace("the provider's side", "Sending COC request", "Received COC response", "sdk.framework", "ApplyResourceChange")
	r.leaks.checkText(t, "the TRACE log", trace)
	r.leaks.checkText(t, "terraform's output", r.outputs.String())
}

// leakRun is a leak suite's terraform: a workspace whose every log, the provider's included, goes
// at TRACE to a file of its own, the simulator behind it, and everything the commands printed,
// which the suite then searches for secrets.
type leakRun struct {
	t       *testing.T
	sim     *simulator.Simulator
	w       *cliWorkspace
	logFile string
	outputs strings.Builder
	// leaks are the secrets the suite looks for; write adds the values of the variables it
	// writes.
	leaks *leakCheck
	// config is the configuration write renders.
	config leakConfig
}

// newLeakRun makes the run's workspace with workspace, given the environment that sends every log
// to the run's TRACE log.
func newLeakRun(t *testing.T, sim *simulator.Simulator, workspace func(t *testing.T, extraEnv ...string) *cliWorkspace) *leakRun {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "trace.log")
	w := workspace(t, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH="+logFile)
	return &leakRun{t: t, sim: sim, w: w, logFile: logFile, leaks: newLeakCheck()}
}

// run runs a command that must succeed, and returns its output.
func (r *leakRun) run(args ...string) string {
	r.t.Helper()
	out := r.w.Terraform(r.t, args...)
	r.outputs.WriteString(out)
	return out
}

// fail runs a command that must fail with an error that want matches.
func (r *leakRun) fail(want *regexp.Regexp, args ...string) {
	r.t.Helper()
	out, err := r.w.Run(args...)
	r.outputs.WriteString(out)
	if err == nil || !want.MatchString(out) {
		r.t.Fatalf("terraform %s: want a failure matching %s, got %v:\n%s", strings.Join(args, " "), want, err, out)
	}
}

// write replaces the configuration with config's, and the variables with the values of the
// generation tag, which join the leaks (but for an empty one: a tenant without a security token
// has none to leak).
func (r *leakRun) write(tag string, version int) {
	r.t.Helper()
	r.w.WriteConfig(r.t, r.config.main(version))
	values := r.config.values(tag)
	for _, v := range values {
		if v != "" {
			r.leaks.add(v)
		}
	}
	writeTFVars(r.t, r.w, values)
}

// inject replaces the simulator's faults with f.
func (r *leakRun) inject(f simulator.Fault) {
	r.t.Helper()
	r.sim.ClearFaults()
	if err := r.sim.InjectFault(f); err != nil {
		r.t.Fatal(err)
	}
}

// trace returns the TRACE log, failing the test unless it holds every one of want: without them,
// the log does not capture side, what the suite searches.
func (r *leakRun) trace(side string, want ...string) string {
	r.t.Helper()
	trace, err := os.ReadFile(r.logFile)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(string(trace), w) {
			r.t.Fatalf("the TRACE log lacks %q, so it does not capture %s (%d bytes)", w, side, len(trace))
		}
	}
	return string(trace)
}

// leakConfig renders the suite's configuration: every credential and secret comes from a
// sensitive variable, as it would in practice (Terraform quotes configuration lines in its
// diagnostics). Every secret named address_book_key (WeCom's) or client_secret (DingTalk's) is
// write-only, the others plaintext.
type leakConfig struct {
	env *simEnv
	// providerLines are more lines of the provider block, before the endpoint and credentials.
	providerLines []string
}

func (leakConfig) writeOnly(secret string) bool {
	return secret == "address_book_key" || secret == "client_secret"
}

func leakVariable(pc platformCase, secret string) string { return string(pc.appType) + "_" + secret }

func (c leakConfig) main(version int) string {
	t := c.env.tenants[0]
	var b strings.Builder
	b.WriteString(requiredProviders)
	vars := []string{"secret_key", "security_token"}
	b.WriteString("provider \"coc\" {\n")
	for _, line := range c.providerLines {
		b.WriteString("  " + line + "\n")
	}
	fmt.Fprintf(&b, "  endpoint = %q\n  access_key = %q\n  secret_key = var.secret_key\n  security_token = var.security_token\n  domain_id = %q\n}\n",
		c.env.url, t.AccessKey, t.DomainID)
	var addrs []string
	for _, pc := range platformCases {
		attrs := map[string]string{}
		for _, s := range pc.platform.SecretNames() {
			vars = append(vars, leakVariable(pc, s))
			if c.writeOnly(s) {
				attrs[s+writeOnlySuffix] = "var." + leakVariable(pc, s)
				attrs[s+versionSuffix] = strconv.Itoa(version)
			} else {
				attrs[s] = "var." + leakVariable(pc, s)
			}
		}
		b.WriteString(pc.resourceBlock("this", attrs))
		addrs = append(addrs, pc.address("this"))
	}
	for _, v := range vars {
		fmt.Fprintf(&b, "variable %q {\n  sensitive = true\n}\n", v)
	}
	fmt.Fprintf(&b, "data \"coc_mobile_apps\" \"all\" {\n  depends_on = [%s]\n}\n", strings.Join(addrs, ", "))
	return b.String()
}

// values returns every variable's value for one generation of secrets. The secrets hold the
// characters JSON and HTML escape, so that an escaped copy of one would be caught too.
func (c leakConfig) values(tag string) map[string]string {
	t := c.env.tenants[0]
	values := map[string]string{"secret_key": t.SecretKey, "security_token": t.SecurityToken}
	for _, pc := range platformCases {
		for _, s := range pc.platform.SecretNames() {
			f, _ := pc.platform.Field(s)
			values[leakVariable(pc, s)] = f.ExampleSecret(fmt.Sprintf(`L3ak<%s>"&\%s`, s, tag))
		}
	}
	return values
}

// storedValues are the values the state may hold: the plaintext secrets, by design.
func (c leakConfig) storedValues() map[string]bool {
	stored := map[string]bool{}
	for _, tag := range []string{"v1", "v2", "v3"} {
		values := c.values(tag)
		for _, pc := range platformCases {
			for _, s := range pc.platform.SecretNames() {
				if !c.writeOnly(s) {
					stored[values[leakVariable(pc, s)]] = true
				}
			}
		}
	}
	return stored
}

func writeTFVars(t *testing.T, w *cliWorkspace, values map[string]string) {
	t.Helper()
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(values)) {
		fmt.Fprintf(&b, "%s = %s\n", name, strconv.Quote(values[name]))
	}
	if err := os.WriteFile(filepath.Join(w.Dir, "secrets.auto.tfvars"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// leakCheck looks for secrets as they are and in the escaped forms logs and JSON give them
// (hwhttp.Spellings).
type leakCheck struct{ secrets []string }

func newLeakCheck(secrets ...string) *leakCheck { return &leakCheck{secrets: secrets} }

func (l *leakCheck) add(secrets ...string) {
	for _, s := range secrets {
		if !slices.Contains(l.secrets, s) {
			l.secrets = append(l.secrets, s)
		}
	}
}

func (l *leakCheck) check(t *testing.T, where, text string) {
	t.Helper()
	for _, s := range l.secrets {
		for _, form := range hwhttp.Spellings(s) {
			if strings.Contains(text, form) {
				t.Errorf("%s contains the secret %q (as %q)", where, s, form)
			}
		}
	}
}

// requestSignature is an SDK-HMAC-SHA256 signature, which anyone could replay while its date is
// fresh.
var requestSignature = regexp.MustCompile(`Signature=[0-9a-f]{64}`)

// checkText looks for the secrets in text, and for a request signature.
func (l *leakCheck) checkText(t *testing.T, where, text string) {
	t.Helper()
	l.check(t, where, text)
	if signature := requestSignature.FindString(text); signature != "" {
		t.Errorf("%s contains a request signature, which could be replayed: %s", where, signature)
	}
}

// checkState looks through the raw state file, private state decoded, for every secret except
// those the state holds by design.
func (l *leakCheck) checkState(t *testing.T, w *cliWorkspace, stored map[string]bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	var state struct {
		Resources []struct {
			Instances []struct {
				Private string `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	for _, r := range state.Resources {
		for _, i := range r.Instances {
			private, _ := base64.StdEncoding.DecodeString(i.Private)
			var keys map[string][]byte
			_ = json.Unmarshal(private, &keys)
			for k, v := range keys {
				text += "\n" + k + "=" + string(v)
			}
		}
	}
	notStored := &leakCheck{}
	for _, s := range l.secrets {
		if !stored[s] {
			notStored.add(s)
		}
	}
	notStored.check(t, "the state file", text)
}
