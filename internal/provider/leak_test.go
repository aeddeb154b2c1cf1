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

	"github.com/cocops/terraform-provider-coc/internal/coc"
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
	logFile := filepath.Join(t.TempDir(), "trace.log")
	w := newCLIWorkspace(t, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH="+logFile)
	leaks := newLeakCheck(env.tenants[0].SecretKey, env.tenants[0].SecurityToken)
	config := leakConfig{env: env}

	var outputs strings.Builder
	run := func(args ...string) string {
		out := w.terraform(t, args...)
		outputs.WriteString(out)
		return out
	}
	// fail runs a command that must fail with an error containing want.
	fail := func(want string, args ...string) {
		out, err := w.run(args...)
		outputs.WriteString(out)
		if err == nil || !errorPattern(want).MatchString(out) {
			t.Fatalf("terraform %s: want a failure mentioning %q, got %v:\n%s", strings.Join(args, " "), want, err, out)
		}
	}
	write := func(tag string, version int) {
		w.writeConfig(t, config.main(version))
		values := config.values(tag)
		leaks.add(slices.Collect(maps.Values(values))...)
		writeTFVars(t, w, values)
	}
	inject := func(f simulator.Fault) {
		env.sim.ClearFaults()
		if err := env.sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}

	write("v1", 1)
	run("plan", "-input=false", "-no-color")
	run("apply", "-auto-approve", "-input=false", "-no-color")
	write("v2", 2)
	run("apply", "-auto-approve", "-input=false", "-no-color")

	// Keys changed on the console: the plan warns and re-sends the configured plaintext secrets.
	for _, pc := range platformCases {
		if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, pc.appType, pc.secretValues("console")); err != nil {
			t.Fatal(err)
		}
	}
	if plan := run("plan", "-input=false", "-no-color"); !strings.Contains(plan, "Secret Changed Outside Terraform") {
		t.Fatalf("the drift plan shows no warning:\n%s", plan)
	}
	run("apply", "-auto-approve", "-input=false", "-no-color")

	// A server that echoes the request, its body and its headers, in its errors.
	write("v3", 3)
	inject(simulator.Fault{Method: "PUT", Status: 400, Echo: true})
	fail("the request was PUT", "apply", "-auto-approve", "-input=false", "-no-color")
	inject(simulator.Fault{Method: "GET", Status: 400, Echo: true})
	fail("X-Security-Token: ***", "plan", "-input=false", "-no-color")
	env.sim.ClearFaults()
	run("apply", "-auto-approve", "-input=false", "-no-color")

	// A secret that fails validation is not repeated in the error.
	bad := config.values("v3")
	bad["lark_app_secret"] = "bad secret v3"
	leaks.add(bad["lark_app_secret"])
	writeTFVars(t, w, bad)
	fail("The value is not shown because it is secret", "plan", "-input=false", "-no-color")
	write("v3", 3)

	run("show", "-no-color")
	leaks.checkState(t, w, config.storedValues())
	run("destroy", "-auto-approve", "-input=false", "-no-color")

	trace, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sending COC request", "Received COC response", "sdk.framework", "ApplyResourceChange"} {
		if !strings.Contains(string(trace), want) {
			t.Fatalf("the TRACE log lacks %q, so it does not capture the provider's side (%d bytes)", want, len(trace))
		}
	}
	leaks.check(t, "the TRACE log", string(trace))
	leaks.check(t, "terraform's output", outputs.String())
	for where, text := range map[string]string{"the TRACE log": string(trace), "terraform's output": outputs.String()} {
		if signature := regexp.MustCompile(`Signature=[0-9a-f]{64}`).FindString(text); signature != "" {
			t.Errorf("%s contains a request signature, which could be replayed: %s", where, signature)
		}
	}
}

// leakConfig renders the suite's configuration: every credential and secret comes from a
// sensitive variable, as it would in practice (Terraform quotes configuration lines in its
// diagnostics). WeCom's address_book_key and DingTalk's client_secret are write-only.
type leakConfig struct{ env *simEnv }

func (leakConfig) writeOnly(secret string) bool {
	return secret == "address_book_key" || secret == "client_secret"
}

func leakVariable(pc platformCase, secret string) string { return string(pc.appType) + "_" + secret }

func (c leakConfig) main(version int) string {
	t := c.env.tenants[0]
	var b strings.Builder
	b.WriteString(requiredProviders)
	vars := []string{"secret_key", "security_token"}
	fmt.Fprintf(&b, "provider \"coc\" {\n  endpoint = %q\n  access_key = %q\n  secret_key = var.secret_key\n  security_token = var.security_token\n  domain_id = %q\n}\n",
		c.env.url, t.AccessKey, t.DomainID)
	var addrs []string
	for _, pc := range platformCases {
		attrs := map[string]string{}
		for _, s := range pc.platform.Secrets {
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
		for _, s := range pc.platform.Secrets {
			v := fmt.Sprintf(`L3ak<%s>"&\%s`, s, tag)
			if pc.appType == "dingtalk" {
				v += strings.Repeat("x", 64-len(v))
			}
			values[leakVariable(pc, s)] = v
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
			for _, s := range pc.platform.Secrets {
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
	if err := os.WriteFile(filepath.Join(w.dir, "secrets.auto.tfvars"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// leakCheck looks for secrets as they are and in the escaped forms logs and JSON give them
// (coc.Spellings).
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
		for _, form := range coc.Spellings(s) {
			if strings.Contains(text, form) {
				t.Errorf("%s contains the secret %q (as %q)", where, s, form)
			}
		}
	}
}

// checkState looks through the raw state file, private state decoded, for every secret except
// those the state holds by design.
func (l *leakCheck) checkState(t *testing.T, w *cliWorkspace, stored map[string]bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
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
