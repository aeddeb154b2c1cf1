package provider

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// With verify_app_credentials, every secret a plan will send is first checked with the app's
// platform, simulated here: a wrong one fails the plan on its argument, and COC gets nothing.

// ownProviderFactories serve a provider instance of the test's own, whose memory of accepted
// credentials no other test shares: the package's shared instance would remember credentials
// from an earlier test whose simulator had the same port.
func ownProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){"coc": providerserver.NewProtocol6WithError(testProvider())}
}

// verificationLines are the provider arguments that check app credentials with e's platforms.
func (e *simEnv) verificationLines() []string {
	var endpoints []string
	for _, pc := range platformCases {
		endpoints = append(endpoints, fmt.Sprintf("%s = %q", pc.appType, e.url+simulator.PlatformPrefix+string(pc.appType)))
	}
	return []string{"verify_app_credentials = true", "platform_endpoints = { " + strings.Join(endpoints, ", ") + " }"}
}

// acceptApp registers the app ids[0] of pc with its platform, with its secrets of every tag.
func (e *simEnv) acceptApp(t *testing.T, pc platformCase, tags ...string) {
	t.Helper()
	if err := e.sim.AcceptAppCredentials(simulator.AppCredentials{AppType: pc.appType, AppID: pc.ids[0], Secrets: pc.taggedSecrets(tags...)}); err != nil {
		t.Fatal(err)
	}
}

// tokenCalls counts the platforms' token calls in the request log, by the secret presented.
func (e *simEnv) tokenCalls() map[string]int {
	calls := map[string]int{}
	for _, r := range e.sim.Requests() {
		if strings.HasPrefix(r.Path, simulator.PlatformPrefix) {
			calls[r.SecretFingerprint]++
		}
	}
	return calls
}

// checkCalls compares the token calls and COC's writes since the log was last cleared with
// what is expected: perSecret token calls for each of secrets and no other, and the given
// writes (in any order). Then it clears the log.
func (e *simEnv) checkCalls(perSecret int, secrets []string, writes ...string) error {
	want := map[string]int{}
	for _, s := range secrets {
		want[simulator.Fingerprint(s)] = perSecret
	}
	calls, got := e.tokenCalls(), e.writes()
	e.sim.ClearRequests()
	if !maps.Equal(calls, want) {
		return fmt.Errorf("token calls by secret fingerprint %v, want %d for each of %q", calls, perSecret, secrets)
	}
	// Terraform may write to the platforms' bindings in any order.
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(writes))) {
		return fmt.Errorf("COC writes %q, want %q", got, writes)
	}
	return nil
}

func (e *simEnv) expectVerified(secrets []string, writes ...string) resource.TestCheckFunc {
	return func(*terraform.State) error { return e.checkCalls(1, secrets, writes...) }
}

// expectVerified checks that one token call was made for each of secrets, and no other, and
// the given writes (checkCalls).
// requireVerified is expectVerified for a PreConfig, after a step that failed.
func (e *simEnv) requireVerified(t *testing.T, secrets []string, writes ...string) func() {
	return func() {
		t.Helper()
		if err := e.checkCalls(1, secrets, writes...); err != nil {
			t.Fatal(err)
		}
	}
}

// wrongSecretCodes are the codes each platform answers a wrong secret of a known app with.
var wrongSecretCodes = map[platforms.AppType]string{platforms.WeCom: "40001", platforms.DingTalk: "invalidClientIdOrSecret", platforms.Lark: "10014"}

// secretForm is one way of configuring a secret.
type secretForm struct {
	name string
	// config renders pc's resource with every secret tagged tag at version, and the variables
	// that feed them.
	config func(pc platformCase, tag string, version int) (string, tfconfig.Variables)
	// attr is the argument that sets secret s.
	attr func(s string) string
}

var secretForms = []secretForm{
	{
		name: "plaintext",
		config: func(pc platformCase, tag string, _ int) (string, tfconfig.Variables) {
			attrs := map[string]string{}
			for s, v := range pc.secretValues(tag) {
				attrs[s] = strconv.Quote(v)
			}
			return pc.resourceBlock("this", attrs), nil
		},
		attr: func(s string) string { return s },
	},
	{
		name: "write-only from an ephemeral variable",
		config: func(pc platformCase, tag string, version int) (string, tfconfig.Variables) {
			var b strings.Builder
			attrs, vars := map[string]string{}, tfconfig.Variables{}
			for s, v := range pc.secretValues(tag) {
				name := ephemeralVariable(pc, s)
				fmt.Fprintf(&b, "variable %q {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n", name)
				attrs[s+writeOnlySuffix], attrs[s+versionSuffix] = "var."+name, strconv.Itoa(version)
				vars[name] = tfconfig.StringVariable(v)
			}
			return b.String() + pc.resourceBlock("this", attrs), vars
		},
		attr: func(s string) string { return s + writeOnlySuffix },
	},
}

// rejections are the fragments of the errors for pc's secrets rejected by the platform: each on
// its argument, quoting the platform's code.
func rejections(pc platformCase, form secretForm) [][]string {
	var each [][]string
	for _, s := range pc.platform.SecretNames() {
		attr := form.attr(s)
		each = append(each, []string{displayNameOf(pc) + " Rejected the App Credentials", "with " + pc.address("this") + ",", attr + " =",
			"with the value of " + attr + ": code " + wrongSecretCodes[pc.appType]})
	}
	return each
}

// inAnyOrder matches text in which each group of fragments appears (as errorPattern matches
// them), the groups in any order.
func inAnyOrder(groups ...[]string) *regexp.Regexp {
	var orders []string
	var permute func(done []string, rest [][]string)
	permute = func(done []string, rest [][]string) {
		if len(rest) == 0 {
			orders = append(orders, "(?:"+strings.Join(done, ".*")+")")
			return
		}
		for i := range rest {
			group := strings.TrimPrefix(errorPattern(rest[i]...).String(), "(?s)")
			permute(append(slices.Clone(done), group), slices.Concat(rest[:i], rest[i+1:]))
		}
	}
	permute(nil, groups)
	return regexp.MustCompile("(?s)" + strings.Join(orders, "|"))
}

// For every platform and both forms of a secret: a wrong secret at create and at rotation fails
// terraform plan on its argument with the platform's code, and COC gets no write; the right ones
// are planned and applied with exactly one token call each; a platform that cannot be reached
// fails the plan, saying how to turn the check off, and COC gets no write either.
func TestAccAppResource_VerifiesNewCredentials(t *testing.T) {
	for _, pc := range platformCases {
		for _, form := range secretForms {
			t.Run(pc.typeName+"/"+form.name, func(t *testing.T) {
				env := newSimEnv(t, 1)
				env.acceptApp(t, pc, "a", "b")
				path := coc.MobileAppsPath + "/" + string(pc.appType)
				step := func(tag string, version int) resource.TestStep {
					config, vars := form.config(pc, tag, version)
					return resource.TestStep{Config: env.providerBlock(0, "", env.verificationLines()...) + config, ConfigVariables: vars}
				}
				planFails := func(tag string, version int, expected *regexp.Regexp) resource.TestStep {
					s := step(tag, version)
					s.PlanOnly, s.ExpectError = true, expected
					return s
				}
				unreachable := planFails("c", 3, errorPattern("Could Not Verify "+displayNameOf(pc)+" App Credentials", "with "+pc.address("this")+",",
					form.attr(pc.platform.SecretNames()[0])+" =", "(HTTP 503)", "Nothing was sent to COC", "verify_app_credentials = false",
					envVerifyAppCredentials+"=false"))
				unreachable.PreConfig = func() {
					if err := env.sim.InjectFault(simulator.Fault{PathPrefix: simulator.PlatformPrefix, Status: 503}); err != nil {
						t.Fatal(err)
					}
				}
				created, rotated := step("a", 1), step("b", 2)
				created.PreConfig = env.requireVerified(t, pc.taggedSecrets("wrong"))
				created.Check = resource.ComposeAggregateTestCheckFunc(env.expectVerified(pc.taggedSecrets("a"), "POST "+path+" 201"),
					env.expectFingerprints(pc, pc.secretValues("a")))
				rotated.PreConfig = env.requireVerified(t, pc.taggedSecrets("wrong"))
				rotated.Check = resource.ComposeAggregateTestCheckFunc(env.expectVerified(pc.taggedSecrets("b"), "PUT "+path+" 200"),
					env.expectFingerprints(pc, pc.secretValues("b")))
				settled := step("b", 2)
				settled.PlanOnly = true
				settled.PreConfig = func() {
					env.sim.ClearFaults()
					if writes := env.writes(); len(writes) != 0 {
						t.Fatalf("COC got %q while the platform could not be reached", writes)
					}
				}

				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: ownProviderFactories(),
					Steps: []resource.TestStep{
						planFails("wrong", 1, inAnyOrder(rejections(pc, form)...)),
						created,
						planFails("wrong", 2, inAnyOrder(rejections(pc, form)...)),
						rotated,
						unreachable,
						settled,
					},
				})
			})
		}
	}
}

// A secret the plan cannot know (here the output of another resource) is checked during the
// apply, before anything is sent: a wrong one fails the apply on its argument and COC gets no
// write; right ones cost one token call each.
func TestAccAppResource_VerifiesAtApplyWhatThePlanCannotKnow(t *testing.T) {
	env := newSimEnv(t, 1)
	var rejected [][]string
	var writes []string
	for _, pc := range platformCases {
		env.acceptApp(t, pc, "a")
		rejected = append(rejected, rejections(pc, secretForms[1])...)
		writes = append(writes, "POST "+coc.MobileAppsPath+"/"+string(pc.appType)+" 201")
	}
	var wrong, right []string
	for _, pc := range platformCases {
		wrong, right = append(wrong, pc.taggedSecrets("wrong")...), append(right, pc.taggedSecrets("a")...)
	}
	config := func(tag string) string {
		return env.providerBlock(0, "", env.verificationLines()...) + unknownUntilApplyConfig(tag, 1)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: ownProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      config("wrong"),
				ExpectError: inAnyOrder(rejected...),
			},
			{
				PreConfig: env.requireVerified(t, wrong),
				Config:    config("a"),
				Check:     env.expectVerified(right, writes...),
			},
		},
	})
}

// Without verify_app_credentials, or with it false, no platform is asked, whatever the secrets.
func TestAccAppResource_NoVerificationByDefault(t *testing.T) {
	for i, form := range secretForms {
		t.Run(form.name, func(t *testing.T) {
			env := newSimEnv(t, 1)
			var lines []string
			if i == 0 {
				lines = []string{"verify_app_credentials = false"}
			}
			step := func(tag string, version int, method string, status int) resource.TestStep {
				config, vars := env.providerBlock(0, "", lines...), tfconfig.Variables{}
				var writes []string
				for _, pc := range platformCases {
					block, v := form.config(pc, tag, version)
					config += block
					maps.Copy(vars, v)
					writes = append(writes, fmt.Sprintf("%s %s/%s %d", method, coc.MobileAppsPath, pc.appType, status))
				}
				return resource.TestStep{Config: config, ConfigVariables: vars, Check: env.expectVerified(nil, writes...)}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: ownProviderFactories(),
				Steps:                    []resource.TestStep{step("a", 1, "POST", 201), step("b", 2, "PUT", 200)},
			})
		})
	}
}

// platform_endpoints takes https://, or http:// on a loopback address; anything else fails the
// plan on the argument, before COC is called.
func TestAccProvider_PlatformEndpointsAreCheckedAtPlan(t *testing.T) {
	env := newSimEnv(t, 1)
	lark := platformCaseFor(platforms.Lark)
	var steps []resource.TestStep
	for endpoint, want := range map[string][]string{
		"http://open.feishu.cn":        {"Invalid Lark Endpoint", "platform_endpoints.lark", "must start with https://", "loopback address only"},
		"https://open.feishu.cn/?id=1": {"Invalid Lark Endpoint", "platform_endpoints.lark", "must not contain credentials, a query"},
		"open.larksuite.com":           {"Invalid Lark Endpoint", "platform_endpoints.lark", "must start with https://"},
	} {
		steps = append(steps, resource.TestStep{
			Config:      env.providerBlock(0, "", "verify_app_credentials = true", fmt.Sprintf("platform_endpoints = { lark = %q }", endpoint)) + lark.resourceBlock("this", nil),
			PlanOnly:    true,
			ExpectError: errorPattern(want...),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: ownProviderFactories(), Steps: steps})
	if requests := env.sim.Requests(); len(requests) != 0 {
		t.Fatalf("the simulator got %d requests, e.g. %s %s", len(requests), requests[0].Method, requests[0].Path)
	}
}

// As users run it, Terraform starts the provider anew for each walk of a command: one process
// plans, another applies, also within one `terraform apply`. The memory of accepted credentials
// lasts a process, so a new secret costs two token calls in a plan and apply, one in a plan
// alone, and a plan that sends nothing asks nothing; a plan that restores a secret changed on
// the console checks it. COC_VERIFY_APP_CREDENTIALS turns the check on where the provider block
// does not say; the block wins over it.
func TestCLI_VerificationAsksOncePerProcess(t *testing.T) {
	env := newSimEnv(t, 1)
	var secrets = map[string][]string{}
	for _, pc := range platformCases {
		env.acceptApp(t, pc, "a", "b")
		for _, tag := range []string{"a", "b", "wrong"} {
			secrets[tag] = append(secrets[tag], pc.taggedSecrets(tag)...)
		}
	}
	w := newCLIWorkspace(t, envVerifyAppCredentials+"=true")
	config := func(tag string, lines ...string) string {
		out := requiredProviders + env.providerBlock(0, "", append(env.verificationLines()[1:], lines...)...)
		for _, pc := range platformCases {
			block, _ := secretForms[0].config(pc, tag, 1)
			out += block
		}
		return out
	}
	writes := func(method string, status int) []string {
		var out []string
		for _, pc := range platformCases {
			out = append(out, fmt.Sprintf("%s %s/%s %d", method, coc.MobileAppsPath, pc.appType, status))
		}
		return out
	}
	expect := func(what string, perSecret int, secrets []string, writes ...string) {
		t.Helper()
		if err := env.checkCalls(perSecret, secrets, writes...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	w.WriteConfig(t, config("a"))
	w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	expect("terraform apply (a plan walk, then an apply walk)", 2, secrets["a"], writes("POST", 201)...)

	w.WriteConfig(t, config("b"))
	w.Terraform(t, "plan", "-input=false", "-no-color", "-out=tfplan")
	expect("terraform plan -out", 1, secrets["b"])
	w.Terraform(t, "apply", "-input=false", "-no-color", "tfplan")
	expect("terraform apply of the saved plan", 1, secrets["b"], writes("PUT", 200)...)
	w.Terraform(t, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	expect("an empty plan", 0, nil)

	// Keys changed on the console: the plan sends the configured plaintext secrets again, and
	// checks them first.
	for _, pc := range platformCases {
		if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, pc.appType, pc.secretValues("console")); err != nil {
			t.Fatal(err)
		}
	}
	if out := w.Terraform(t, "plan", "-input=false", "-no-color"); !strings.Contains(out, "Secret Changed Outside Terraform") {
		t.Fatalf("the plan does not restore the secrets changed on the console:\n%s", out)
	}
	expect("the plan that restores secrets changed on the console", 1, secrets["b"])

	// Wrong secrets: refused with the check on, not asked about with it off.
	w.WriteConfig(t, config("wrong"))
	if out, err := w.Run("plan", "-input=false", "-no-color"); err == nil || !strings.Contains(out, "Rejected the App Credentials") {
		t.Fatalf("the plan of wrong secrets did not fail on them: %v\n%s", err, out)
	}
	expect("the plan of wrong secrets", 1, secrets["wrong"])
	w.WriteConfig(t, config("wrong", "verify_app_credentials = false"))
	w.Terraform(t, "plan", "-input=false", "-no-color")
	expect("verify_app_credentials = false over the variable", 0, nil)
	w.Env = append(w.Env, envVerifyAppCredentials+"=false")
	w.WriteConfig(t, config("wrong"))
	w.Terraform(t, "plan", "-input=false", "-no-color")
	expect(envVerifyAppCredentials+"=false", 0, nil)
	w.Env = append(w.Env, envVerifyAppCredentials+"=maybe")
	if out, err := w.Run("plan", "-input=false", "-no-color"); err == nil ||
		!errorPattern("Invalid Provider Argument", envVerifyAppCredentials, `"maybe"`, "neither true nor false").MatchString(out) {
		t.Fatalf("a variable that is neither true nor false: %v\n%s", err, out)
	}
	expect("an invalid variable", 0, nil)
}
