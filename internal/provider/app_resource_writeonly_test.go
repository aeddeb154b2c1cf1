package provider

import (
	"archive/zip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Write-only secrets (X_wo + X_wo_version) reach COC but never the state or the plan. These
// tests prove it against the raw state file, which keeps the private state too.

// writeOnly configures the named secrets of pc (every secret when none is named) through their
// write-only attributes, with values tagged tag and the given version.
func (pc platformCase) writeOnly(tag string, version int, secrets ...string) map[string]string {
	if len(secrets) == 0 {
		secrets = pc.platform.SecretNames()
	}
	attrs := map[string]string{}
	for _, s := range secrets {
		attrs[s+writeOnlySuffix] = strconv.Quote(pc.secret(s, tag))
		attrs[s+versionSuffix] = strconv.Itoa(version)
	}
	return attrs
}

// taggedSecrets lists the values of every secret of pc for each tag.
func (pc platformCase) taggedSecrets(tags ...string) []string {
	var out []string
	for _, tag := range tags {
		out = slices.AppendSeq(out, maps.Values(pc.secretValues(tag)))
	}
	return out
}

// versionAttrs lists the X_wo_version attributes of pc.
func (pc platformCase) versionAttrs() []string {
	var out []string
	for _, s := range pc.platform.SecretNames() {
		out = append(out, s+versionSuffix)
	}
	return out
}

// rawStateFile is the part of terraform.tfstate these tests look into.
type rawStateFile struct {
	Resources []struct {
		Type      string `json:"type"`
		Instances []struct {
			// Private is base64 of a JSON object whose values are base64 again.
			Private    string         `json:"private"`
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// readRawState reads the workspace's terraform.tfstate.
func readRawState(t *testing.T, w *cliWorkspace) rawStateFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state rawStateFile
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	return state
}

// expectRawState checks the state file terraform-plugin-testing keeps under dir (the TestCase's
// WorkingDir) with checkRawState.
func expectRawState(dir string, absent, present []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		files, err := filepath.Glob(filepath.Join(dir, "work*", "terraform.tfstate"))
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return fmt.Errorf("want one state file under %s, found %v", dir, files)
		}
		return checkRawState(files[0], absent, present)
	}
}

// checkRawState reads a state file as it is on disk. No value in absent may appear in it,
// private state included; every value in present must. Finding applied_key_updated_at in each
// binding's decoded private state proves that the private state was really looked into.
func checkRawState(file string, absent, present []string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var state rawStateFile
	if err := json.Unmarshal(raw, &state); err != nil {
		return err
	}
	text := []string{string(raw)}
	for _, r := range state.Resources {
		for _, inst := range r.Instances {
			private, err := base64.StdEncoding.DecodeString(inst.Private)
			if err != nil {
				return fmt.Errorf("%s: private state is not base64: %w", r.Type, err)
			}
			var keys map[string][]byte
			if err := json.Unmarshal(private, &keys); err != nil && len(private) > 0 {
				return fmt.Errorf("%s: private state is not a JSON object of base64 values: %w", r.Type, err)
			}
			if strings.HasPrefix(r.Type, "coc_") {
				doc, _, err := privateDocument(private)
				if err != nil {
					return fmt.Errorf("%s: %w", r.Type, err)
				}
				if doc.AppliedKeyUpdatedAt == "" {
					return fmt.Errorf("%s: private state %s has no applied_key_updated_at", r.Type, private)
				}
			}
			text = append(text, string(private))
			for _, v := range keys {
				text = append(text, string(v))
			}
		}
	}
	all := strings.Join(text, "\n")
	for _, secret := range absent {
		if strings.Contains(all, secret) {
			return fmt.Errorf("the state file holds the secret %q", secret)
		}
	}
	for _, secret := range present {
		if !strings.Contains(string(raw), secret) {
			return fmt.Errorf("the state file lacks %q, which should be there", secret)
		}
	}
	return nil
}

// expectWritesToEach checks that every platform's binding got exactly the given writes
// ("METHOD status"), in that order, and nothing else was written; Terraform may interleave the
// writes to different bindings. Then it resets the log.
func (e *simEnv) expectWritesToEach(want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := map[string][]string{}
		for _, w := range e.writes() {
			method, rest, _ := strings.Cut(w, " ")
			path, status, _ := strings.Cut(rest, " ")
			got[path] = append(got[path], method+" "+status)
		}
		e.sim.ClearRequests()
		for _, pc := range platformCases {
			path := "/v1/mobile-apps/" + string(pc.appType)
			if !slices.Equal(got[path], want) {
				return fmt.Errorf("%s: writes %q, want %q", path, got[path], want)
			}
			delete(got, path)
		}
		if len(got) > 0 {
			return fmt.Errorf("unexpected writes %q", got)
		}
		return nil
	}
}

// writeOnlyStep is one step of a story told for every platform's binding at once (one
// configuration keeps the test fast): what is configured, what the plan must show, what COC
// must hold afterwards, and which tagged secrets must be absent from or present in the state.
type writeOnlyStep struct {
	attrs           func(pc platformCase) map[string]string
	plan            func(pc platformCase, addr string) []plancheck.PlanCheck
	state           func(pc platformCase, addr string) []statecheck.StateCheck
	writes          []string
	stored          func(pc platformCase) map[string]string
	absent, inState []string
}

func (e *simEnv) writeOnlyStep(dir, extraConfig string, s writeOnlyStep) resource.TestStep {
	config := e.providerBlock(0, "") + extraConfig
	var planChecks []plancheck.PlanCheck
	var stateChecks []statecheck.StateCheck
	checks := []resource.TestCheckFunc{e.expectWritesToEach(s.writes...)}
	var absent, present []string
	for _, pc := range platformCases {
		addr := pc.address("this")
		config += pc.resourceBlock("this", s.attrs(pc))
		planChecks = append(planChecks, s.plan(pc, addr)...)
		if s.state != nil {
			stateChecks = append(stateChecks, s.state(pc, addr)...)
		}
		checks = append(checks, e.expectFingerprints(pc, s.stored(pc)))
		absent = append(absent, pc.taggedSecrets(s.absent...)...)
		present = append(present, pc.taggedSecrets(s.inState...)...)
	}
	return resource.TestStep{
		Config:            config,
		ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: planChecks},
		ConfigStateChecks: stateChecks,
		Check:             resource.ComposeAggregateTestCheckFunc(append(checks, expectRawState(dir, absent, present))...),
	}
}

// The life of a write-only binding, for every platform: create, a value change that is not
// sent, rotation by version (up and down), replacement, and switching to the plaintext
// attribute and back. Only the version decides what an update sends.
func TestAccAppResourceWriteOnly_Lifecycle(t *testing.T) {
	env := newSimEnv(t, 1)
	dir := t.TempDir()
	first := func(pc platformCase) string { return pc.platform.SecretNames()[0] }
	// nullSecrets: neither X nor X_wo has a value, in the plan or in the state.
	nullSecrets := func(pc platformCase, addr string) ([]plancheck.PlanCheck, []statecheck.StateCheck) {
		var plan []plancheck.PlanCheck
		var state []statecheck.StateCheck
		for _, s := range pc.platform.SecretNames() {
			for _, name := range []string{s, s + writeOnlySuffix} {
				plan = append(plan, plancheck.ExpectKnownValue(addr, tfjsonpath.New(name), knownvalue.Null()))
				state = append(state, statecheck.ExpectKnownValue(addr, tfjsonpath.New(name), knownvalue.Null()))
			}
		}
		return plan, state
	}
	nullInState := func(pc platformCase, addr string) []statecheck.StateCheck {
		_, state := nullSecrets(pc, addr)
		return state
	}
	// inPlaceUpdate: an update that changes the named attributes and the timestamps the PUT
	// moves, nothing else.
	inPlaceUpdate := func(addr string, names ...string) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			plancheck.ExpectUnknownValue(addr, tfjsonpath.New(attrKeyUpdatedAt)),
			onlyChanges(addr, append(names, attrKeyUpdatedAt, attrUpdatedAt)...),
		}
	}
	switchUpdate := func(pc platformCase, addr string) []plancheck.PlanCheck {
		return inPlaceUpdate(addr, append(pc.versionAttrs(), pc.platform.SecretNames()...)...)
	}
	replaced := func(pc platformCase) map[string]string {
		return map[string]string{pc.platform.Identifier.Name: strconv.Quote(pc.ids[1])}
	}
	stored := func(tag string) func(platformCase) map[string]string {
		return func(pc platformCase) map[string]string { return pc.secretValues(tag) }
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		WorkingDir:               dir,
		Steps: []resource.TestStep{
			// Create: the POST carries the write-only values, nothing keeps them.
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs: func(pc platformCase) map[string]string { return pc.writeOnly("a", 1) },
				plan: func(pc platformCase, addr string) []plancheck.PlanCheck {
					plan, _ := nullSecrets(pc, addr)
					return append(plan, plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate))
				},
				state: func(pc platformCase, addr string) []statecheck.StateCheck {
					return append(nullInState(pc, addr), statecheck.ExpectKnownValue(addr, tfjsonpath.New(first(pc)+versionSuffix), knownvalue.Int64Exact(1)))
				},
				writes: []string{"POST 201"},
				stored: stored("a"),
				absent: []string{"a"},
			}),
			// A new value under the same version is not sent, by design: Terraform keeps no
			// trace of a write-only value to compare with, so the version is the signal.
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs: func(pc platformCase) map[string]string { return pc.writeOnly("b", 1) },
				plan: func(platformCase, string) []plancheck.PlanCheck {
					return []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
				},
				stored: stored("a"),
				absent: []string{"a", "b"},
			}),
			// Bumping one secret's version sends that secret, and only it, in place.
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs: func(pc platformCase) map[string]string {
					return mergeAttrs(pc.writeOnly("b", 1), pc.writeOnly("b", 2, first(pc)))
				},
				plan: func(pc platformCase, addr string) []plancheck.PlanCheck {
					plan, _ := nullSecrets(pc, addr)
					return append(plan, inPlaceUpdate(addr, first(pc)+versionSuffix)...)
				},
				state:  nullInState,
				writes: []string{"PUT 200"},
				stored: func(pc platformCase) map[string]string {
					return mergeAttrs(pc.secretValues("a"), map[string]string{first(pc): pc.secret(first(pc), "b")})
				},
				absent: []string{"a", "b"},
			}),
			// Any change of a version sends, a decrease too: the version is a trigger, not a
			// counter the provider checks.
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs: func(pc platformCase) map[string]string {
					return mergeAttrs(pc.writeOnly("c", 3), pc.writeOnly("c", 1, first(pc)))
				},
				plan: func(pc platformCase, addr string) []plancheck.PlanCheck {
					return inPlaceUpdate(addr, pc.versionAttrs()...)
				},
				writes: []string{"PUT 200"},
				stored: stored("c"),
				absent: []string{"a", "b", "c"},
			}),
			// A new binding gets the configured write-only values whatever the version.
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs: func(pc platformCase) map[string]string {
					return mergeAttrs(pc.writeOnly("d", 3), pc.writeOnly("d", 1, first(pc)), replaced(pc))
				},
				plan: func(_ platformCase, addr string) []plancheck.PlanCheck {
					return []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)}
				},
				writes: []string{"DELETE 204", "POST 201"},
				stored: stored("d"),
				absent: []string{"a", "b", "c", "d"},
			}),
			// Back to the plaintext attribute: in place, and the secret is in the state, as
			// plaintext secrets are (which also proves that the state check can see one).
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs: func(pc platformCase) map[string]string {
					attrs := replaced(pc)
					for s, v := range pc.secretValues("plain") {
						attrs[s] = strconv.Quote(v)
					}
					return attrs
				},
				plan:    switchUpdate,
				writes:  []string{"PUT 200"},
				stored:  stored("plain"),
				absent:  []string{"a", "b", "c", "d"},
				inState: []string{"plain"},
			}),
			// And to write-only again: in place, sent although the version is back at 1, and
			// the plaintext secret leaves the state.
			env.writeOnlyStep(dir, "", writeOnlyStep{
				attrs:  func(pc platformCase) map[string]string { return mergeAttrs(pc.writeOnly("e", 1), replaced(pc)) },
				plan:   switchUpdate,
				state:  nullInState,
				writes: []string{"PUT 200"},
				stored: stored("e"),
				absent: []string{"a", "b", "c", "d", "e", "plain"},
			}),
		},
	})
}

// An existing binding imported with write-only secrets in the configuration plans one update
// that sends them (COC never returns secrets, so there is nothing to compare), then nothing.
func TestAccAppResourceWriteOnly_ImportBlock(t *testing.T) {
	env := newSimEnv(t, 1)
	dir := t.TempDir()
	var imports string
	for _, pc := range platformCases {
		env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
		imports += fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", pc.address("this"), pc.ids[0])
	}
	adopt := env.writeOnlyStep(dir, imports, writeOnlyStep{
		attrs: func(pc platformCase) map[string]string { return pc.writeOnly("a", 1) },
		plan: func(pc platformCase, addr string) []plancheck.PlanCheck {
			return []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				onlyChanges(addr, append(pc.versionAttrs(), attrKeyUpdatedAt, attrUpdatedAt)...),
			}
		},
		writes: []string{"PUT 200"},
		stored: func(pc platformCase) map[string]string { return pc.secretValues("a") },
		absent: []string{"a", "console"},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		WorkingDir:               dir,
		Steps:                    []resource.TestStep{adopt, {Config: adopt.Config, PlanOnly: true}},
	})
}

// The recommended pattern: write-only secrets fed from ephemeral variables, which Terraform
// keeps out of the plan file as well as the state. Every platform's resources share one
// configuration.
func TestAccAppResourceWriteOnly_EphemeralVariables(t *testing.T) {
	env := newSimEnv(t, 1)
	dir := t.TempDir()
	vars := tfconfig.Variables{}
	var secrets []string
	var checks []resource.TestCheckFunc
	for _, pc := range platformCases {
		for s, v := range pc.secretValues("a") {
			vars[ephemeralVariable(pc, s)] = tfconfig.StringVariable(v)
		}
		secrets = append(secrets, pc.taggedSecrets("a")...)
		checks = append(checks, env.expectFingerprints(pc, pc.secretValues("a")))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		WorkingDir:               dir,
		Steps: []resource.TestStep{{
			Config:          env.providerBlock(0, "") + ephemeralConfig(func(int) int { return 1 }),
			ConfigVariables: vars,
			Check:           resource.ComposeAggregateTestCheckFunc(append(checks, expectRawState(dir, secrets, nil))...),
		}},
	})
}

// ephemeralVariable names the variable that feeds secret s of pc in ephemeralConfig.
func ephemeralVariable(pc platformCase, s string) string { return string(pc.appType) + "_" + s }

// ephemeralConfig declares an ephemeral variable for each secret of every platform, and for
// each platform a resource whose write-only secrets come from them. version gives a secret's
// version from its index in the platform's secrets.
func ephemeralConfig(version func(i int) int) string {
	var out strings.Builder
	for _, pc := range platformCases {
		attrs := map[string]string{}
		for i, s := range pc.platform.SecretNames() {
			fmt.Fprintf(&out, "variable %q {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n", ephemeralVariable(pc, s))
			attrs[s+writeOnlySuffix] = "var." + ephemeralVariable(pc, s)
			attrs[s+versionSuffix] = strconv.Itoa(version(i))
		}
		out.WriteString(pc.resourceBlock("this", attrs))
	}
	return out.String()
}

// A write-only secret known only at apply (here from another resource) is planned like a
// known one and sent with its final value, on create and on rotation. (terraform_data keeps its
// input in the state, so the state is not checked here.)
func TestAccAppResourceWriteOnly_UnknownUntilApply(t *testing.T) {
	env := newSimEnv(t, 1)
	config := func(tag string, version int) string {
		return env.providerBlock(0, "") + unknownUntilApplyConfig(tag, version)
	}
	step := func(tag string, version int, action plancheck.ResourceActionType) resource.TestStep {
		var planChecks []plancheck.PlanCheck
		var checks []resource.TestCheckFunc
		for _, pc := range platformCases {
			planChecks = append(planChecks, plancheck.ExpectResourceAction(pc.address("this"), action))
			checks = append(checks, env.expectFingerprints(pc, pc.secretValues(tag)))
		}
		return resource.TestStep{
			Config:           config(tag, version),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: planChecks},
			Check:            resource.ComposeAggregateTestCheckFunc(checks...),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("a", 1, plancheck.ResourceActionCreate),
			step("b", 2, plancheck.ResourceActionUpdate),
		},
	})
}

// unknownUntilApplyConfig gives every platform's resource write-only secrets tagged tag at
// version, each from the output of a terraform_data, which the plan does not know.
func unknownUntilApplyConfig(tag string, version int) string {
	var out strings.Builder
	for _, pc := range platformCases {
		attrs := map[string]string{}
		for s, v := range pc.secretValues(tag) {
			source := string(pc.appType) + "_" + s
			fmt.Fprintf(&out, "resource \"terraform_data\" %q {\n  input = %q\n}\n", source, v)
			attrs[s+writeOnlySuffix] = "terraform_data." + source + ".output"
			attrs[s+versionSuffix] = strconv.Itoa(version)
		}
		out.WriteString(pc.resourceBlock("this", attrs))
	}
	return out.String()
}

// Terraform cannot repair the drift of a write-only secret by itself, since it never stored the
// value: the plan stays empty and one warning per secret names the version to increase, until
// that secret is sent again, even when other secrets of the binding are sent first. Warnings
// reach only the CLI's output, so this runs the real terraform. The secrets come from ephemeral
// variables, the recommended pattern, which keeps them out of the saved plan as well as the state.
func TestCLI_WriteOnlyDriftWarnsToIncreaseVersion(t *testing.T) {
	env := newSimEnv(t, 1)
	var extraEnv, secrets []string
	for _, pc := range platformCases {
		for s, v := range pc.secretValues("a") {
			extraEnv = append(extraEnv, "TF_VAR_"+ephemeralVariable(pc, s)+"="+v)
		}
		secrets = append(secrets, pc.taggedSecrets("a", "console")...)
	}
	w := newCLIWorkspace(t, extraEnv...)
	// Each platform's first secret gets version first, any other secret (WeCom's
	// address_book_key) version other.
	config := func(first, other int) string {
		return requiredProviders + env.providerBlock(0, "") + ephemeralConfig(func(i int) int {
			if i == 0 {
				return first
			}
			return other
		})
	}
	expectFingerprints := func(first, other string) {
		t.Helper()
		for _, pc := range platformCases {
			want := map[string]string{}
			for i, s := range pc.platform.SecretNames() {
				want[s] = pc.secret(s, map[bool]string{true: first, false: other}[i == 0])
			}
			if err := env.expectFingerprints(pc, want)(nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	const summary = "Write-Only Secret Changed Outside Terraform"
	// expectWarnings runs an empty plan (-detailed-exitcode fails the run on any change) and
	// checks that it warns, each in full, to increase exactly the named versions of addr's.
	expectWarnings := func(want map[string][]string) {
		t.Helper()
		out := w.Terraform(t, "plan", "-input=false", "-no-color", "-detailed-exitcode")
		if !strings.Contains(out, "No changes.") || strings.Contains(out, "similar warning") {
			t.Fatalf("want an empty plan with every warning shown in full:\n%s", out)
		}
		warnings := strings.Split(out, "Warning: ")
		count := 0
		for addr, versions := range want {
			for _, version := range versions {
				count++
				// Two platforms may name their secrets alike: the warning is the one about addr.
				i := slices.IndexFunc(warnings, func(w string) bool {
					return strings.HasPrefix(w, summary+": Increase "+version+" of ") && strings.Contains(w, "with "+addr+",")
				})
				if i < 0 {
					t.Errorf("%s: no warning to increase %s:\n%s", addr, version, out)
				} else if !errorPattern("with "+addr+",", version+" = ", "increase "+version+".").MatchString(warnings[i]) {
					t.Errorf("%s: the warning does not point at %s and say to increase it:\n%s", addr, version, warnings[i])
				}
			}
		}
		if got := strings.Count(out, "Warning: "+summary); got != count {
			t.Errorf("%d warnings to increase a version, want %d:\n%s", got, count, out)
		}
		if writes := env.writes(); len(writes) != 0 {
			t.Fatalf("planning wrote %v", writes)
		}
	}

	w.WriteConfig(t, config(1, 1))
	w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	expectFingerprints("a", "a")
	allVersions := map[string][]string{}
	for _, pc := range platformCases {
		if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, pc.appType, pc.secretValues("console")); err != nil {
			t.Fatal(err)
		}
		allVersions[pc.address("this")] = pc.versionAttrs()
	}
	env.sim.ClearRequests()
	expectWarnings(allVersions)
	expectFingerprints("console", "console")

	// Increasing the first versions re-sends those secrets, one PUT per binding. The saved plan
	// holds no secret: the variables are ephemeral.
	w.WriteConfig(t, config(2, 1))
	out := w.Terraform(t, "plan", "-input=false", "-no-color", "-out=tfplan")
	if want := fmt.Sprintf("0 to add, %d to change, 0 to destroy", len(platformCases)); !strings.Contains(out, want) {
		t.Fatalf("want an update per binding:\n%s", out)
	}
	checkPlanFile(t, filepath.Join(w.Dir, "tfplan"), secrets)
	w.Terraform(t, "apply", "-input=false", "-no-color", "tfplan")
	if writes := env.writes(); len(writes) != len(platformCases) || slices.ContainsFunc(writes, func(w string) bool { return !strings.HasPrefix(w, "PUT ") }) {
		t.Fatalf("writes %v, want a PUT per binding", writes)
	}
	env.sim.ClearRequests()
	expectFingerprints("a", "console")
	// COC's key_updated_at moved with those PUTs, yet WeCom's address_book_key still holds the
	// console's value, and the warning says so.
	wecom := platformCaseFor(platforms.WeCom)
	expectWarnings(map[string][]string{wecom.address("this"): wecom.versionAttrs()[1:]})

	w.WriteConfig(t, config(2, 2))
	w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if writes := env.writes(); !slices.Equal(writes, []string{"PUT /v1/mobile-apps/" + string(wecom.appType) + " 200"}) {
		t.Fatalf("writes %v, want WeCom's PUT", writes)
	}
	env.sim.ClearRequests()
	expectFingerprints("a", "a")
	expectWarnings(nil)
	if err := checkRawState(filepath.Join(w.Dir, "terraform.tfstate"), secrets, nil); err != nil {
		t.Fatal(err)
	}
}

// checkPlanFile fails the test if any of secrets appears in a saved plan (a zip archive).
func checkPlanFile(t *testing.T, file string, secrets []string) {
	t.Helper()
	archive, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer archive.Close()
	var names []string
	for _, f := range archive.File {
		names = append(names, f.Name)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if strings.Contains(string(content), secret) {
				t.Errorf("the saved plan's %s holds the secret %q", f.Name, secret)
			}
		}
	}
	if !slices.Contains(names, "tfplan") {
		t.Fatalf("%s has no tfplan entry (%v): not a saved plan?", file, names)
	}
}
