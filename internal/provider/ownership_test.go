package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Terraform acts only on what its configuration owns, also when the world changes between the
// plan and the apply: every write names the binding it means, a create adopts only what its own
// idempotency key made, and a plan says what the apply will meet. These tests drive the real
// terraform the way a pipeline with an approval between plan and apply does, with the simulator
// playing the console in between, for every platform at once.

// ownedWorkspace is a workspace whose configuration binds the first app of every platform
// (attrs edits each resource), applied.
type ownedWorkspace struct {
	env *simEnv
	w   *cliWorkspace
}

func newOwnedWorkspace(t *testing.T, attrs func(pc platformCase) map[string]string) *ownedWorkspace {
	t.Helper()
	o := &ownedWorkspace{env: newSimEnv(t, 1), w: newCLIWorkspace(t)}
	o.writeConfig(t, attrs)
	o.w.Terraform(t, "apply", "-auto-approve", "-input=false")
	o.env.sim.ClearRequests()
	return o
}

func (o *ownedWorkspace) writeConfig(t *testing.T, attrs func(pc platformCase) map[string]string) {
	t.Helper()
	config := requiredProviders + o.env.providerBlock(0, "")
	for _, pc := range platformCases {
		var a map[string]string
		if attrs != nil {
			a = attrs(pc)
		}
		config += pc.resourceBlock("this", a)
	}
	o.w.WriteConfig(t, config)
}

// replaceOnConsole binds every platform's second app in place of the first, with secrets tagged
// "console".
func (o *ownedWorkspace) replaceOnConsole(t *testing.T) {
	t.Helper()
	for _, pc := range platformCases {
		o.env.bindOnConsole(t, pc, pc.ids[1], nil, "console")
	}
}

// expectConsoleBindings checks that COC still binds, on every platform, the app the console
// bound, with the console's secrets.
func (o *ownedWorkspace) expectConsoleBindings(t *testing.T, id func(pc platformCase) string) {
	t.Helper()
	for _, pc := range platformCases {
		b, ok := o.env.bindings(t, 0)[pc.appType]
		if !ok || b.Identifier() != id(pc) {
			t.Errorf("%s: COC binds %+v, want the console's %s", pc.typeName, b, id(pc))
			continue
		}
		for _, s := range pc.platform.SecretNames() {
			if b.Fingerprints[s] != simulator.Fingerprint(pc.secret(s, "console")) {
				t.Errorf("%s: the console's %s was overwritten", pc.typeName, s)
			}
		}
	}
}

// expectOutput checks that the output says each fragment, for every platform: in a fragment,
// {name} stands for the platform's name, {id} for its identifier's name, {mine} and {theirs}
// for its first and second app.
func expectOutput(t *testing.T, out string, fragments ...string) {
	t.Helper()
	flat := unwrapped(out)
	for _, pc := range platformCases {
		r := strings.NewReplacer("{name}", pc.platform.Name, "{id}", pc.platform.Identifier.Name, "{mine}", pc.ids[0], "{theirs}", pc.ids[1])
		for _, f := range fragments {
			if want := unwrapped(r.Replace(f)); !strings.Contains(flat, want) {
				t.Errorf("the output lacks %q:\n%s", want, out)
			}
		}
	}
}

// expectWrites checks the contract writes made since the log was last cleared, in any order.
func (o *ownedWorkspace) expectWrites(t *testing.T, perPlatform ...string) {
	t.Helper()
	var want []string
	for _, pc := range platformCases {
		for _, w := range perPlatform {
			method, status, _ := strings.Cut(w, " ")
			want = append(want, method+" "+bindingPath(pc)+" "+status)
		}
	}
	got := o.env.writes()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("writes %v, want %v", got, want)
	}
}

// A destroy planned before the console replaced the app, applied after, unbinds nothing: COC
// refuses the DELETE that names the app the state holds, the destroy succeeds (that app is no
// longer bound) and warns that the app bound in its place was left alone. A saved -replace plan
// does the same for its destroy half, and its create half fails with Already Bound, naming the
// app in the way.
func TestCLI_DestroyLeavesTheAppBoundInItsPlaceAlone(t *testing.T) {
	left := "Another {name} App Is Bound: Left Alone"
	replacePlan := []string{"plan", "-out=tfplan", "-input=false"}
	for _, pc := range platformCases {
		replacePlan = append(replacePlan, "-replace="+pc.address("this"))
	}
	cases := []struct {
		name string
		// plan runs before the console change, apply after it; apply must fail when fails is set.
		plan, apply []string
		fails       bool
		fragments   []string
		writes      []string
	}{
		{name: "saved destroy plan", plan: []string{"plan", "-destroy", "-out=tfplan", "-input=false"}, apply: []string{"apply", "-input=false", "tfplan"},
			fragments: []string{left, `binds "{theirs}" in its place`, `left "{theirs}" bound`}, writes: []string{"DELETE 412"}},
		{name: "destroy -refresh=false", apply: []string{"destroy", "-refresh=false", "-auto-approve", "-input=false"},
			fragments: []string{left, `binds "{theirs}" in its place`}, writes: []string{"DELETE 412"}},
		{name: "saved -replace plan", plan: replacePlan, apply: []string{"apply", "-input=false", "tfplan"}, fails: true,
			fragments: []string{left, "{name} App Already Bound", `({id} "{theirs}")`, "terraform import coc_"}, writes: []string{"DELETE 412"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := newOwnedWorkspace(t, nil)
			if tc.plan != nil {
				o.w.Terraform(t, tc.plan...)
			}
			o.replaceOnConsole(t)
			out, err := o.w.Run(append(tc.apply, "-no-color")...)
			if (err != nil) != tc.fails {
				t.Fatalf("terraform %s: %v, want it to fail: %v\n%s", strings.Join(tc.apply, " "), err, tc.fails, out)
			}
			expectOutput(t, out, tc.fragments...)
			o.expectConsoleBindings(t, func(pc platformCase) string { return pc.ids[1] })
			o.expectWrites(t, tc.writes...)
			if recorded := stateAddresses(t, o.w); len(recorded) != 0 {
				t.Errorf("the state still records %v", recorded)
			}
		})
	}
}

// A plan that would create a binding where the platform is bound fails the plan, with the words
// and import commands the apply would give, and writes nothing: whether the app bound is another
// one or the same one bound by hand. A plan that creates nothing asks nothing more than its
// refreshes.
func TestCLI_PlanFailsWhereThePlatformIsBound(t *testing.T) {
	for _, same := range []bool{false, true} {
		t.Run(fmt.Sprintf("the same app %v", same), func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			w := newCLIWorkspace(t)
			config := requiredProviders + env.providerBlock(0, "")
			for _, pc := range platformCases {
				config += pc.resourceBlock("this", nil)
				env.bindOnConsole(t, pc, pc.ids[map[bool]int{false: 1, true: 0}[same]], nil, "console")
			}
			w.WriteConfig(t, config)
			out, err := w.Run("plan", "-input=false", "-no-color")
			if err == nil {
				t.Fatalf("the plan succeeded:\n%s", out)
			}
			bound := map[bool]string{false: "{theirs}", true: "{mine}"}[same]
			expectOutput(t, out, "{name} App Already Bound", `({id} "`+bound+`")`, "terraform import coc_", "Found while planning")
			if writes := env.writes(); len(writes) != 0 {
				t.Fatalf("the plan wrote %v", writes)
			}
			if n := len(env.sim.Requests()); n != len(platformCases) {
				t.Fatalf("the plan made %d calls, want one GET per planned create", n)
			}
		})
	}
}

// A create whose first POST met a transient failure that did nothing at COC, while the same app
// got bound by hand or by another access key of the account (with the very same settings and
// secrets), fails with Already Bound: COC does not recognise its idempotency key in that binding,
// and the binding's secrets are never touched. Each transient failure meets each platform.
func TestCLI_RetriedCreateNeverTakesOverABinding(t *testing.T) {
	failures := []simulator.Fault{
		{Method: http.MethodPost, Status: http.StatusServiceUnavailable, Times: 1},
		{Method: http.MethodPost, Status: http.StatusBadGateway, Code: simulator.CodeStaleDate, Message: "Backend unavailable.", Times: 1},
		{Method: http.MethodPost, Drop: simulator.DropBeforeCommit, Times: 1},
	}
	makers := map[string]func(t *testing.T, env *simEnv, pc platformCase){
		"on the console": func(t *testing.T, env *simEnv, pc platformCase) { env.bindOnConsole(t, pc, pc.ids[0], nil, "theirs") },
		"by another access key of the account": func(t *testing.T, env *simEnv, pc platformCase) {
			other := simulator.Tenant{AccessKey: "AKOTHERWORKSPACE", SecretKey: "SK-other-workspace-0123456789", DomainID: env.tenants[0].DomainID}
			env.sim.AddTenant(other)
			client, err := coc.NewClient(coc.Config{Endpoint: env.url, DomainID: other.DomainID,
				Credentials: hwhttp.Credentials{AccessKey: other.AccessKey, SecretKey: other.SecretKey}})
			if err != nil {
				t.Fatal(err)
			}
			req := coc.BindingRequest{Fields: map[string]string{pc.platform.Identifier.Name: pc.ids[0]}, Secrets: pc.secretValues("theirs")}
			for f, v := range pc.fields {
				req.Fields[f] = v[0]
			}
			if _, err := client.CreateBinding(context.Background(), pc.appType, req); err != nil {
				t.Error(err)
			}
		},
	}
	for makerName, bind := range makers {
		for shift := range failures {
			t.Run(fmt.Sprintf("%s, failures shifted by %d", makerName, shift), func(t *testing.T) {
				t.Parallel()
				env := newSimEnv(t, 1)
				w := newCLIWorkspace(t)
				config := requiredProviders + env.providerBlock(0, "")
				for i, pc := range platformCases {
					config += pc.resourceBlock("this", nil)
					f := failures[(i+shift)%len(failures)]
					f.PathPrefix, f.AccessKey = bindingPath(pc), env.tenants[0].AccessKey
					if err := env.sim.InjectFault(f); err != nil {
						t.Fatal(err)
					}
				}
				w.WriteConfig(t, config)
				// The binding appears as this apply's first POST of each platform fails.
				var once sync.Map
				meanwhile := func(r *http.Request) {
					if r.Method != http.MethodPost || r.Header.Get(hwhttp.HeaderAuthorization) == "" || strings.Contains(r.Header.Get(hwhttp.HeaderAuthorization), "AKOTHERWORKSPACE") {
						return
					}
					pc := platformCaseFor(platforms.AppType(path.Base(r.URL.Path)))
					if _, done := once.LoadOrStore(pc.appType, true); !done {
						bind(t, env, pc)
					}
				}
				env.meanwhile.Store(&meanwhile)
				out, err := w.Run("apply", "-auto-approve", "-input=false", "-no-color")
				if err == nil {
					t.Fatalf("the apply succeeded:\n%s", out)
				}
				expectOutput(t, out, "{name} App Already Bound", `({id} "{mine}")`, "terraform import coc_")
				for i, pc := range platformCases {
					// The POST that failed, then the one COC refused: the binding is not this create's.
					var posts []string
					for _, r := range env.sim.Requests() {
						if r.Method == http.MethodPost && r.Path == bindingPath(pc) && r.AccessKey == env.tenants[0].AccessKey {
							posts = append(posts, strconv.Itoa(r.Status))
						}
					}
					failed := strconv.Itoa(failures[(i+shift)%len(failures)].Status)
					if !slices.Equal(posts, []string{failed, "409"}) {
						t.Errorf("%s: POSTs answered %v, want %s then 409", pc.typeName, posts, failed)
					}
					b := env.bindings(t, 0)[pc.appType]
					for s, v := range pc.secretValues("theirs") {
						if b.Fingerprints[s] != simulator.Fingerprint(v) {
							t.Errorf("%s: the secret %s of the binding made %s was overwritten", pc.typeName, s, makerName)
						}
					}
				}
				if recorded := stateAddresses(t, w); len(recorded) != 0 {
					t.Errorf("the state records %v", recorded)
				}
			})
		}
	}
}

// A saved plan that changes a plain field, applied after the app was replaced on the console,
// fails naming the replacement as the cause (not a change of the identifier), and changes
// nothing at COC.
func TestCLI_UpdateAfterTheAppWasReplacedNamesTheCause(t *testing.T) {
	t.Parallel()
	o := newOwnedWorkspace(t, nil)
	o.writeConfig(t, func(pc platformCase) map[string]string {
		attrs := map[string]string{}
		for f, v := range pc.fields {
			attrs[f] = strconv.Quote(v[1])
		}
		return attrs
	})
	o.w.Terraform(t, "plan", "-out=tfplan", "-input=false")
	o.replaceOnConsole(t)
	o.env.sim.ClearRequests()
	out, err := o.w.Run("apply", "-input=false", "-no-color", "tfplan")
	if err == nil {
		t.Fatalf("the apply succeeded:\n%s", out)
	}
	expectOutput(t, out, "{name} App Replaced Outside Terraform", `now has {id} "{theirs}", not "{mine}"`, "This apply changed nothing",
		"run terraform apply -refresh-only")
	if strings.Contains(out, "cannot be changed") && strings.Contains(out, "COC rejected") {
		t.Errorf("the error blames a change of the identifier:\n%s", out)
	}
	o.expectConsoleBindings(t, func(pc platformCase) string { return pc.ids[1] })
	o.expectWrites(t, "PUT 400")
}

// The advice for an app replaced on the console works when followed to the letter: a refresh
// forgets the app the state held, then the import block adopts the app bound in its place.
func TestCLI_AdoptingTheAppBoundInPlaceByTheAdvice(t *testing.T) {
	t.Parallel()
	o := newOwnedWorkspace(t, nil)
	o.replaceOnConsole(t)
	out, err := o.w.Run("plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("the plan succeeded although every platform binds another app:\n%s", out)
	}
	expectOutput(t, out, "{name} App Replaced Outside Terraform", "run terraform apply -refresh-only", "set {id} to \"{theirs}\" and import it")

	// The advice: refresh first, then point the configuration at the app bound and import it.
	o.w.Terraform(t, "apply", "-refresh-only", "-auto-approve", "-input=false")
	o.writeConfig(t, func(pc platformCase) map[string]string {
		return map[string]string{pc.platform.Identifier.Name: strconv.Quote(pc.ids[1])}
	})
	var imports strings.Builder
	for _, pc := range platformCases {
		fmt.Fprintf(&imports, "import {\n  to = %s\n  id = %q\n}\n", pc.address("this"), pc.ids[1])
	}
	o.w.WriteFile(t, "imports.tf", imports.String())
	applied := o.w.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if want := fmt.Sprintf("%d imported, 0 added, %d changed, 0 destroyed", len(platformCases), len(platformCases)); !strings.Contains(applied, want) {
		t.Fatalf("the import did not adopt the apps bound in place (want %q):\n%s", want, applied)
	}
	o.w.Terraform(t, "plan", "-detailed-exitcode", "-input=false")
	for _, pc := range platformCases {
		if b := o.env.bindings(t, 0)[pc.appType]; b.Identifier() != pc.ids[1] {
			t.Errorf("%s: COC binds %s", pc.typeName, b.Identifier())
		}
	}
}

// A state edited by hand so that it no longer names the app fails with an error about the
// state and how to mend it, and Terraform neither reads nor unbinds anything.
func TestCLI_StateWithoutTheIdentifier(t *testing.T) {
	t.Parallel()
	o := newOwnedWorkspace(t, nil)
	statePath := filepath.Join(o.w.Dir, "terraform.tfstate")
	raw, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	resources, ok := state["resources"].([]any)
	for _, r := range resources {
		res, isMap := r.(map[string]any)
		instances, isList := res["instances"].([]any)
		ok = ok && isMap && isList
		pc := platformCases[slices.IndexFunc(platformCases, func(pc platformCase) bool { return pc.typeName == res["type"] })]
		for _, inst := range instances {
			instance, isMap := inst.(map[string]any)
			attrs, hasAttrs := instance["attributes"].(map[string]any)
			ok = ok && isMap && hasAttrs
			delete(attrs, pc.platform.Identifier.Name)
		}
	}
	if !ok {
		t.Fatalf("the state file is not as expected:\n%s", raw)
	}
	edited, _ := json.Marshal(state)
	if err := os.WriteFile(statePath, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"plan", "-input=false", "-no-color"}, {"destroy", "-refresh=false", "-auto-approve", "-input=false", "-no-color"}} {
		out, err := o.w.Run(args...)
		if err == nil {
			t.Fatalf("terraform %s succeeded:\n%s", args[0], out)
		}
		expectOutput(t, out, "State of {name} Binding Has No {id}", "terraform state rm", "import the bound app")
		if strings.Contains(out, "Missing Resource Identity") || strings.Contains(out, "report to the provider developers") {
			t.Errorf("terraform %s blames the provider:\n%s", args[0], out)
		}
	}
	if n := len(o.env.sim.Requests()); n != 0 {
		t.Fatalf("Terraform called COC %d times for a state that names no app", n)
	}
}

// A -replace under create_before_destroy, with nothing changed, finds the binding already made
// by its own idempotency key: its create adopts it, and its destroy half leaves it bound.
func TestCLI_CreateBeforeDestroyReplacementKeepsTheBinding(t *testing.T) {
	t.Parallel()
	cbd := func(platformCase) map[string]string {
		return map[string]string{"lifecycle": "{\n    create_before_destroy = true\n  }"}
	}
	o := newOwnedWorkspace(t, cbd)
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	for _, pc := range platformCases {
		args = append(args, "-replace="+pc.address("this"))
	}
	out := o.w.Terraform(t, args...)
	if want := fmt.Sprintf("%d added, 0 changed, %d destroyed", len(platformCases), len(platformCases)); !strings.Contains(out, want) {
		t.Fatalf("want %q:\n%s", want, out)
	}
	o.expectWrites(t, "POST 201")
	o.w.Terraform(t, "plan", "-detailed-exitcode", "-input=false")
	for _, pc := range platformCases {
		if b, ok := o.env.bindings(t, 0)[pc.appType]; !ok || b.Identifier() != pc.ids[0] {
			t.Errorf("%s: the replacement left COC with %+v", pc.typeName, b)
		}
	}
}
