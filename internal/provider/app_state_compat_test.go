package provider

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// stateFixture is a terraform.tfstate (named .json: .gitignore keeps *.tfstate out) that
// Terraform 1.11 wrote with the provider as it was before its private state became one document
// (stateFixtureCommit): each binding keeps its drift baseline under the key
// applied_key_updated_at, and WeCom's address_book_key, changed on the console and not restored
// since, is under unrestored_write_only. writeStateFixture made it; COC_WRITE_STATE_FIXTURE=1
// makes it again.
const (
	stateFixture       = "testdata/state-before-private-document.json"
	stateFixtureCommit = "f3e5e15"
)

// stateFixturePlatforms are the bindings in stateFixture.
var stateFixturePlatforms = []platforms.AppType{platforms.WeCom, platforms.DingTalk, platforms.Lark}

// stateFixtureConfig is the configuration stateFixture was applied with: WeCom's and DingTalk's
// secrets write-only (WeCom's first one at wecomVersion, 2 in the fixture), Lark's plaintext.
func stateFixtureConfig(env *simEnv, wecomVersion int) string {
	config := requiredProviders + env.providerBlock(0, "")
	for _, appType := range stateFixturePlatforms {
		pc := platformCaseFor(appType)
		var attrs map[string]string
		switch appType {
		case platforms.WeCom:
			attrs = mergeAttrs(pc.writeOnly("1", 1), pc.writeOnly("1", wecomVersion, pc.platform.SecretNames()[0]))
		case platforms.DingTalk:
			attrs = pc.writeOnly("1", 1)
		}
		config += pc.resourceBlock("this", attrs)
	}
	return config
}

// writeStateFixture rewrites stateFixture with the provider of stateFixtureCommit: it binds every
// app, changes WeCom's secrets on the console, then rotates WeCom's first secret alone.
func writeStateFixture(t *testing.T) {
	t.Helper()
	env := newSimEnv(t, 1)
	w := newCLIWorkspaceWithProvider(t, buildProviderAt(t, stateFixtureCommit))
	w.WriteConfig(t, stateFixtureConfig(env, 1))
	w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	wecom := platformCaseFor(platforms.WeCom)
	if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, wecom.appType, wecom.secretValues("console")); err != nil {
		t.Fatal(err)
	}
	w.WriteConfig(t, stateFixtureConfig(env, 2))
	w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	raw, err := os.ReadFile(filepath.Join(w.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stateFixture, raw, 0o600); err != nil { //nolint:gosec // G703: a constant path; only the content comes from the run
		t.Fatal(err)
	}
}

// buildProviderAt builds the provider of an earlier commit of this repository, and returns the
// directory of the binary.
func buildProviderAt(t *testing.T, commit string) string {
	t.Helper()
	src, bin := t.TempDir(), t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	extract := exec.Command("bash", "-o", "pipefail", "-c", `git archive "$1" | tar -x -C "$2"`, "extract", commit, src)
	extract.Dir = filepath.Join(filepath.Dir(file), "..", "..") // git archive takes the directory it runs in
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-coc"), ".")
	build.Dir = src
	for _, cmd := range []*exec.Cmd{extract, build} {
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
	}
	return bin
}

// fixtureBinding is one binding of stateFixture: its attributes, and its private state keys.
type fixtureBinding struct {
	pc      platformCase
	attrs   map[string]any
	private map[string][]byte
}

func (b fixtureBinding) attr(name string) string { s, _ := b.attrs[name].(string); return s }

// legacy decodes the JSON value of one of the private state's keys.
func (b fixtureBinding) legacy(t *testing.T, key string, v any) {
	t.Helper()
	if err := json.Unmarshal(b.private[key], v); err != nil {
		t.Fatalf("%s: private state key %s: %v", b.pc.typeName, key, err)
	}
}

func readStateFixture(t *testing.T) ([]byte, map[platforms.AppType]fixtureBinding) {
	t.Helper()
	raw, err := os.ReadFile(stateFixture)
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
				Private    string         `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	out := map[platforms.AppType]fixtureBinding{}
	for _, r := range state.Resources {
		i := slices.IndexFunc(platformCases, func(pc platformCase) bool { return pc.typeName == r.Type })
		if i < 0 || len(r.Instances) != 1 {
			t.Fatalf("%s holds %d instances of %s, want one of a binding", stateFixture, len(r.Instances), r.Type)
		}
		b := fixtureBinding{pc: platformCases[i], attrs: r.Instances[0].Attributes}
		private, err := base64.StdEncoding.DecodeString(r.Instances[0].Private)
		if err == nil {
			err = json.Unmarshal(private, &b.private)
		}
		// The fixture is worth something only while it holds the keys from before the document.
		if err != nil || b.private[legacyAppliedKeyUpdatedAt] == nil || b.private[privateKey] != nil {
			t.Fatalf("%s: private state %q is not from before the document (%v)", r.Type, private, err)
		}
		out[b.pc.appType] = b
	}
	if !slices.Equal(slices.Sorted(maps.Keys(out)), slices.Sorted(slices.Values(stateFixturePlatforms))) {
		t.Fatalf("%s holds %v, want %v", stateFixture, slices.Collect(maps.Keys(out)), stateFixturePlatforms)
	}
	return raw, out
}

// seedFixtureBindings makes COC hold what the fixture records, to the millisecond: each binding
// is made at its created_at and, when its secrets were set again, changed at its key_updated_at.
func seedFixtureBindings(t *testing.T, env *simEnv, seedAt *atomic.Pointer[time.Time], fixture map[platforms.AppType]fixtureBinding) {
	t.Helper()
	at := func(timestamp string) {
		when, err := time.Parse(time.RFC3339Nano, timestamp)
		if err != nil {
			t.Fatal(err)
		}
		seedAt.Store(&when)
	}
	defer seedAt.Store(nil)
	for appType, b := range fixture {
		fields := map[string]string{}
		for _, f := range b.pc.platform.FieldNames() {
			fields[f] = b.attr(f)
		}
		at(b.attr(attrCreatedAt))
		env.bindOnConsole(t, b.pc, b.attr(b.pc.platform.Identifier.Name), fields, "1")
		if b.attr(attrKeyUpdatedAt) != b.attr(attrCreatedAt) {
			at(b.attr(attrKeyUpdatedAt))
			if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, appType, b.pc.secretValues("1")); err != nil {
				t.Fatal(err)
			}
		}
		held := env.bindings(t, 0)[appType]
		for name, v := range computedValues(&held.Binding) {
			// The notification type is the provider's, newer than the fixture.
			if name != attrNotificationType && b.attr(name) != v {
				t.Fatalf("%s: COC holds %s = %q, the fixture %q", b.pc.typeName, name, v, b.attr(name))
			}
		}
	}
}

// planExitCode runs terraform plan -detailed-exitcode: 0 for no changes, 2 for changes.
func planExitCode(t *testing.T, w *cliWorkspace) (string, int) {
	t.Helper()
	out, err := w.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		return out, 2
	}
	t.Fatalf("terraform plan: %v\n%s", err, out)
	return out, 0
}

// expectOnlyRefreshes checks that COC was asked for nothing but one read of each fixture binding
// since the log was last cleared, then clears it.
func expectOnlyRefreshes(t *testing.T, env *simEnv) {
	t.Helper()
	var got, want []string
	for _, r := range env.sim.Requests() {
		got = append(got, r.Method+" "+r.Path+" "+strconv.Itoa(r.Status))
	}
	for _, appType := range stateFixturePlatforms {
		want = append(want, "GET "+bindingPath(platformCaseFor(appType))+" 200")
	}
	env.sim.ClearRequests()
	if slices.Sort(got); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("the plan called %q, want only the refreshes %q", got, want)
	}
}

// Warnings the plans must give, each naming its attribute and binding.
func reSendWarning(pc platformCase, s string) string {
	return "Warning: Secret Changed Outside Terraform: Re-sending " + s + " of " + pc.platform.Name + " App " + pc.ids[0]
}

func versionWarning(pc platformCase, s string) string {
	return "Warning: Write-Only Secret Changed Outside Terraform: Increase " + versionAttr(s) + " of " + pc.platform.Name + " App " + pc.ids[0]
}

func expectDriftWarnings(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("the plan does not warn %q:\n%s", w, out)
		}
	}
	if n := strings.Count(out, "Warning: Secret Changed") + strings.Count(out, "Warning: Write-Only Secret Changed"); n != len(want) {
		t.Errorf("%d drift warnings, want %d:\n%s", n, len(want), out)
	}
}

// unwrapped is terraform's output with its diagnostics' lines joined.
func unwrapped(out string) string { return strings.Join(strings.Fields(out), " ") }

// A state written before the private state was one document plans as it did: nothing to change
// and nothing asked of COC but the refresh, the write-only secret left unrestored still flagged,
// and a change on the console seen against the baseline the old keys hold. The first apply moves
// every binding's private state to the document, which keeps all of that.
func TestCLI_PlansAgainstAStateFromBeforeThePrivateDocument(t *testing.T) {
	if os.Getenv("COC_WRITE_STATE_FIXTURE") == "1" {
		writeStateFixture(t)
	}
	raw, fixture := readStateFixture(t)
	wecom, dingtalk, lark := fixture[platforms.WeCom], fixture[platforms.DingTalk], fixture[platforms.Lark]
	var unrestored map[string]string
	wecom.legacy(t, legacyUnrestoredWriteOnly, &unrestored)
	flagged := wecom.pc.platform.SecretNames()[1]
	if unrestored[flagged] == "" {
		t.Fatalf("the fixture flags %v, want WeCom's %s", unrestored, flagged)
	}
	var seedAt atomic.Pointer[time.Time]
	env := newSimEnv(t, 1, simulator.WithClock(func() time.Time {
		if at := seedAt.Load(); at != nil {
			return *at
		}
		return time.Now()
	}))
	seedFixtureBindings(t, env, &seedAt, fixture)

	w := newCLIWorkspace(t)
	// Only the provider's address is the CLI's own (OpenTofu's registry is another host).
	state := strings.ReplaceAll(string(raw), `"provider[\"registry.terraform.io/cocops/coc\"]"`,
		`"provider[\"`+providerAddress(cliUnderTest(t))+`\"]"`)
	if err := os.WriteFile(filepath.Join(w.Dir, "terraform.tfstate"), []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	w.WriteConfig(t, stateFixtureConfig(env, 2))

	out, code := planExitCode(t, w)
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Fatalf("want an empty plan against the old state:\n%s", out)
	}
	expectDriftWarnings(t, out, versionWarning(wecom.pc, flagged))
	if !strings.Contains(unwrapped(out), "were changed at "+unrestored[flagged]) {
		t.Errorf("the warning does not name the change the old state flags (%s):\n%s", unrestored[flagged], out)
	}
	expectOnlyRefreshes(t, env)

	// Secrets changed on the console: Lark's plaintext one is re-sent, DingTalk's write-only one
	// flagged, each against the baseline of the old state.
	for _, b := range []fixtureBinding{dingtalk, lark} {
		if err := env.sim.ConsoleChangeSecrets(env.tenants[0].AccessKey, b.pc.appType, b.pc.secretValues("console")); err != nil {
			t.Fatal(err)
		}
	}
	var larkBaseline string
	lark.legacy(t, legacyAppliedKeyUpdatedAt, &larkBaseline)
	out, code = planExitCode(t, w)
	if code != 2 || !strings.Contains(out, "0 to add, 1 to change, 0 to destroy") {
		t.Fatalf("want Lark's secret re-sent, nothing else:\n%s", out)
	}
	larkSecret, dingtalkSecret := lark.pc.platform.SecretNames()[0], dingtalk.pc.platform.SecretNames()[0]
	expectDriftWarnings(t, out, versionWarning(wecom.pc, flagged), versionWarning(dingtalk.pc, dingtalkSecret), reSendWarning(lark.pc, larkSecret))
	if !strings.Contains(unwrapped(out), "after Terraform last set them ("+larkBaseline+")") {
		t.Errorf("the warning does not name the old state's baseline %s:\n%s", larkBaseline, out)
	}
	expectOnlyRefreshes(t, env)

	w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if writes := env.writes(); !slices.Equal(writes, []string{"PUT " + bindingPath(lark.pc) + " 200"}) {
		t.Fatalf("the apply wrote %v, want Lark's PUT", writes)
	}
	expectFixtureDocuments(t, env, w, fixture)
	env.sim.ClearRequests()
	out, code = planExitCode(t, w)
	if code != 0 {
		t.Fatalf("want an empty plan after the apply:\n%s", out)
	}
	expectDriftWarnings(t, out, versionWarning(wecom.pc, flagged), versionWarning(dingtalk.pc, dingtalkSecret))
	expectOnlyRefreshes(t, env)
}

// expectFixtureDocuments checks that after an apply every binding's private state is the
// document alone, holding what the old keys held: the baseline (Lark's the one its update set)
// and WeCom's flagged secret.
func expectFixtureDocuments(t *testing.T, env *simEnv, w *cliWorkspace, fixture map[platforms.AppType]fixtureBinding) {
	t.Helper()
	state := readRawState(t, w)
	for _, r := range state.Resources {
		b := fixture[platformCases[slices.IndexFunc(platformCases, func(pc platformCase) bool { return pc.typeName == r.Type })].appType]
		private, _ := base64.StdEncoding.DecodeString(r.Instances[0].Private)
		doc, keys, err := privateDocument(private)
		if err != nil || len(keys) != 1 {
			t.Fatalf("%s: private state %s, want the document alone (%v)", r.Type, private, err)
		}
		want := bindingPrivate{Version: privateVersion}
		b.legacy(t, legacyAppliedKeyUpdatedAt, &want.AppliedKeyUpdatedAt)
		if b.private[legacyUnrestoredWriteOnly] != nil {
			b.legacy(t, legacyUnrestoredWriteOnly, &want.UnrestoredWriteOnly)
		}
		if b.pc.appType == platforms.Lark {
			want.AppliedKeyUpdatedAt = coc.FormatTimestamp(env.bindings(t, 0)[platforms.Lark].KeyUpdatedAt)
		}
		if doc.AppliedKeyUpdatedAt != want.AppliedKeyUpdatedAt || !maps.Equal(doc.UnrestoredWriteOnly, want.UnrestoredWriteOnly) ||
			doc.ImportID != nil {
			t.Errorf("%s: private state document %s, want %+v", r.Type, keys[privateKey], want)
		}
	}
}
