package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// A real COC region today answers through an API gateway that does not publish the mobile-app
// API; a mistyped endpoint or a proxy does the same in its own way. These tests point terraform
// at such answers and check that the provider concludes nothing from them: no binding leaves the
// state, no destroy is reported, no import is advised, nothing is recorded as made.

// foreignAnswer is an answer that says nothing about a binding, and what its error must quote.
type foreignAnswer struct {
	name  string
	fault simulator.Fault
	quote string
}

var foreignAnswers = []foreignAnswer{
	{"the gateway's APIG.0101", simulator.Fault{Status: 404, Code: hwhttp.CodeNotPublished, Message: simulator.MessageNotPublished}, "HTTP 404 APIG.0101"},
	{"COC's COC.00040400", simulator.Fault{Status: 404, Code: coc.CodeNoSuchAPI, Message: "no such API"}, "HTTP 404 COC.00040400"},
	{"a proxy's login page", simulator.Fault{Status: 200, ContentType: "text/html", Body: "<html><form>Sign in to continue</form></html>"},
		"a success status with text/html (45 bytes) is not COC's answer"},
}

// on returns the answer's fault for one method and path prefix.
func (a foreignAnswer) on(method, pathPrefix string) simulator.Fault {
	f := a.fault
	f.Method, f.PathPrefix = method, pathPrefix
	return f
}

// foreignWorkspace is a workspace whose configuration binds every platform, with the tenant's
// provider pointed at the simulator.
func foreignWorkspace(t *testing.T, env *simEnv) *cliWorkspace {
	t.Helper()
	w := newCLIWorkspace(t)
	config := requiredProviders + env.providerBlock(0, "")
	for _, pc := range platformCases {
		config += pc.resourceBlock("this", nil)
	}
	w.WriteConfig(t, config)
	return w
}

func (e *simEnv) inject(t *testing.T, faults ...simulator.Fault) {
	t.Helper()
	e.sim.ClearFaults()
	for _, f := range faults {
		if err := e.sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
}

// exitCode is how a terraform run ended: 0 for success.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// expectErrorPerPlatform checks that a run's JSON output has, for every platform's resource, an
// error diagnostic that says all of want (regular expressions), and one that says none of avoid.
// A diagnostic belongs to the resource it names, or else (Terraform 1.11 names none for a
// delete) to the platform whose call it quotes.
func expectErrorPerPlatform(t *testing.T, what, out string, want []string, avoid ...string) {
	t.Helper()
	errs := map[string]string{}
	for _, m := range terraformMessages(out) {
		if m.Type != "diagnostic" || m.Diagnostic.Severity != "error" {
			continue
		}
		for _, pc := range platformCases {
			if m.Diagnostic.Address == pc.address("this") || m.Diagnostic.Address == "" && strings.Contains(m.Diagnostic.Detail, bindingPath(pc)+":") {
				errs[pc.typeName] += m.Diagnostic.Summary + ": " + m.Diagnostic.Detail + "\n"
			}
		}
	}
	for _, pc := range platformCases {
		got := errs[pc.typeName]
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(got) {
				t.Errorf("%s: %s: want an error matching %q, got:\n%s", what, pc.address("this"), w, got)
			}
		}
		for _, a := range avoid {
			if strings.Contains(got, a) {
				t.Errorf("%s: %s: the error says %q:\n%s", what, pc.address("this"), a, got)
			}
		}
	}
}

func (e *simEnv) expectAllBound(t *testing.T, what string) {
	t.Helper()
	if bound := e.bindings(t, 0); len(bound) != len(platformCases) {
		t.Fatalf("%s: COC holds %d bindings, want %d", what, len(bound), len(platformCases))
	}
}

func expectInState(t *testing.T, w *cliWorkspace, what string) {
	t.Helper()
	var want []string
	for _, pc := range platformCases {
		want = append(want, pc.address("this"))
	}
	slices.Sort(want)
	if got := stateAddresses(t, w); !slices.Equal(got, want) {
		t.Fatalf("%s: the state holds %v, want %v", what, got, want)
	}
}

// anyAppType matches any platform's app type.
var anyAppType = "(?:" + strings.Join(platforms.AppTypes(), "|") + ")"

// With a binding of every platform in the state and COC still holding them, an answer that is
// not COC's to the refresh fails the plan (exit code 1, not 2: nothing is planned) and a
// refresh-only apply, and keeps every binding in the state; the same answer to the DELETE fails
// `destroy -refresh=false` and keeps them too. The error names the call, the endpoint, the code
// and what to check.
func TestCLI_ForeignAnswersKeepTheBindings(t *testing.T) {
	for _, answer := range foreignAnswers {
		t.Run(answer.name, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			w := foreignWorkspace(t, env)
			w.Terraform(t, "apply", "-auto-approve", "-input=false")
			want := []string{regexp.QuoteMeta(answer.quote), "GET /v1/mobile-apps/" + anyAppType, regexp.QuoteMeta(env.url),
				"does not serve the COC mobile-app API", "endpoint \\(HW_COC_ENDPOINT\\) and region \\(HW_REGION_NAME\\)"}

			env.inject(t, answer.on("GET", coc.MobileAppsPath))
			out, err := w.Run("plan", "-detailed-exitcode", "-input=false", "-json")
			if code := exitCode(t, err); code != 1 {
				t.Fatalf("plan exited %d, want 1 (an error):\n%s", code, out)
			}
			expectErrorPerPlatform(t, "plan", out, want)
			out, err = w.Run("apply", "-refresh-only", "-auto-approve", "-input=false", "-json")
			if err == nil {
				t.Fatalf("apply -refresh-only succeeded:\n%s", out)
			}
			expectErrorPerPlatform(t, "apply -refresh-only", out, want)
			expectInState(t, w, "after apply -refresh-only")

			env.inject(t, answer.on("DELETE", coc.MobileAppsPath))
			out, err = w.Run("destroy", "-refresh=false", "-auto-approve", "-input=false", "-json")
			if err == nil || strings.Contains(out, "Destroy complete") {
				t.Fatalf("destroy -refresh=false reported success:\n%s", out)
			}
			expectErrorPerPlatform(t, "destroy", out, []string{regexp.QuoteMeta(answer.quote), "DELETE /v1/mobile-apps/", "does not serve"})
			expectInState(t, w, "after destroy -refresh=false")
			env.expectAllBound(t, "after destroy -refresh=false")

			env.sim.ClearFaults()
			w.Terraform(t, "destroy", "-auto-approve", "-input=false")
			if bound := env.bindings(t, 0); len(bound) != 0 {
				t.Fatalf("after the destroy COC still holds %v", bound)
			}
		})
	}
}

// An import and the data source meet the same answers with an error that quotes them, never with
// "Cannot import non-existent remote object" or an empty list.
func TestCLI_ForeignAnswersFailImportAndTheDataSource(t *testing.T) {
	for _, answer := range foreignAnswers {
		t.Run(answer.name, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			for _, pc := range platformCases {
				env.bindOnConsole(t, pc, pc.ids[0], nil, "console")
			}
			env.inject(t, answer.on("GET", coc.MobileAppsPath))
			w := foreignWorkspace(t, env)
			for _, pc := range platformCases {
				out, err := w.Run("import", "-input=false", "-no-color", pc.address("this"), pc.ids[0])
				out = unboxed(out)
				if err == nil || !errorPattern(answer.quote).MatchString(out) || !errorPattern("does not serve the COC mobile-app API").MatchString(out) ||
					strings.Contains(out, "non-existent") {
					t.Errorf("import of %s: want an error quoting %q, got:\n%s", pc.address("this"), answer.quote, out)
				}
			}
			if got := stateAddresses(t, w); len(got) != 0 {
				t.Errorf("the imports left %v in the state", got)
			}
			data := newCLIWorkspace(t)
			data.WriteConfig(t, requiredProviders+env.providerBlock(0, "")+"data \"coc_mobile_apps\" \"all\" {}\noutput \"apps\" { value = data.coc_mobile_apps.all.apps }\n")
			out, err := data.Run("plan", "-input=false", "-no-color")
			if err == nil || !errorPattern("Failed to List Mobile App Bindings", answer.quote).MatchString(unboxed(out)) {
				t.Errorf("the data source: want an error quoting %q, got:\n%s", answer.quote, out)
			}
		})
	}
}

// A 409 that is not COC's COC.00040901, and a 2xx that is not COC's, answer a create with an
// error of the endpoint: no import advice, nothing recorded, no POST sent again.
func TestCLI_ForeignAnswersToACreateRecordNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault simulator.Fault
		quote string
	}{
		{"a 409 without COC's code", simulator.Fault{Method: "POST", Status: 409, Code: "PROXY.0409", Message: "conflict at the proxy"}, "HTTP 409 PROXY.0409"},
		{"a captive portal's 200", simulator.Fault{Method: "POST", Status: 200, ContentType: "text/html", Body: "<html>Welcome to the hotel Wi-Fi</html>"},
			"a success status with text/html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 1)
			env.inject(t, tc.fault)
			w := foreignWorkspace(t, env)
			out, err := w.Run("apply", "-auto-approve", "-input=false", "-json")
			if err == nil {
				t.Fatalf("the apply succeeded:\n%s", out)
			}
			expectErrorPerPlatform(t, "apply", out, []string{regexp.QuoteMeta(tc.quote), "does not serve the COC mobile-app API"},
				"Already Bound", "terraform import", "Not Confirmed")
			if got := stateAddresses(t, w); len(got) != 0 {
				t.Errorf("the state holds %v, want nothing", got)
			}
			if writes := env.writes(); len(writes) != len(platformCases) {
				t.Errorf("writes %v, want one refused POST per platform", writes)
			}
		})
	}
}

// An answer that describes another app type than the one asked for fails the plan; a create's
// answer that names another app or lacks timestamps is read back, and only what COC holds
// reaches the state.
func TestCLI_AnswersThatContradictTheCall(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	w := foreignWorkspace(t, env)
	var faults []simulator.Fault
	for i, pc := range platformCases {
		// The first POST of each platform is answered, without being processed, with another app,
		// or without its timestamps; the read-back finds nothing bound, and the POST goes again.
		body := misroutedBinding(pc, pc.ids[1])
		if i%2 == 1 {
			body = strings.NewReplacer(`"created_at":"2026-01-02T03:04:05.000Z",`, "", `"key_updated_at":"2026-01-02T03:04:05.000Z",`, "").Replace(misroutedBinding(pc, pc.ids[0]))
		}
		faults = append(faults, simulator.Fault{Method: "POST", PathPrefix: bindingPath(pc), Times: 1, Status: 201, ContentType: "application/json", Body: body})
	}
	env.inject(t, faults...)
	w.Terraform(t, "apply", "-auto-approve", "-input=false")
	for _, pc := range platformCases {
		got := stateValues(t, w, pc.address("this"))
		bound := env.bindings(t, 0)[pc.appType]
		if got["id"] != pc.ids[0] || got["created_at"] != coc.FormatTimestamp(bound.CreatedAt) || got["key_updated_at"] != coc.FormatTimestamp(bound.KeyUpdatedAt) {
			t.Errorf("%s: the state holds %v, want the binding COC holds (%s, created %s)", pc.address("this"), got, pc.ids[0], bound.CreatedAt)
		}
	}
	out, err := w.Run("plan", "-detailed-exitcode", "-input=false", "-json")
	if code := exitCode(t, err); code != 0 {
		t.Fatalf("the plan after the apply exited %d, want 0 (no changes):\n%s", code, out)
	}
	for _, m := range terraformMessages(out) {
		if m.Type == "diagnostic" && m.Diagnostic.Summary != "Provider development overrides are in effect" {
			t.Errorf("the plan after the apply says %s: %s", m.Diagnostic.Summary, m.Diagnostic.Detail)
		}
	}

	// Each GET answered with another platform's binding.
	faults = nil
	for i, pc := range platformCases {
		other := platformCases[(i+1)%len(platformCases)]
		faults = append(faults, simulator.Fault{Method: "GET", PathPrefix: bindingPath(pc), Status: 200, ContentType: "application/json", Body: misroutedBinding(other, other.ids[0])})
	}
	env.inject(t, faults...)
	out, err = w.Run("plan", "-detailed-exitcode", "-input=false", "-json")
	if code := exitCode(t, err); code != 1 {
		t.Fatalf("plan exited %d, want 1 (an error):\n%s", code, out)
	}
	expectErrorPerPlatform(t, "plan", out, []string{`data\.app_type is \\?"` + anyAppType + `\\?", not the \\?"` + anyAppType + `\\?" asked for`,
		"looked like COC's but contradicted the call"})
	expectInState(t, w, "after the plan")
}

// COC's own "not bound" still means what it says: after a console delete the plan creates the
// binding again, and a destroy that finds it gone succeeds.
func TestCLI_COCsNotBoundIsStillNotBound(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	w := foreignWorkspace(t, env)
	w.Terraform(t, "apply", "-auto-approve", "-input=false")
	for _, pc := range platformCases {
		if err := env.sim.ConsoleUnbind(env.tenants[0].AccessKey, pc.appType); err != nil {
			t.Fatal(err)
		}
	}
	out, err := w.Run("plan", "-detailed-exitcode", "-input=false")
	if code := exitCode(t, err); code != 2 || !strings.Contains(out, fmt.Sprintf("%d to add, 0 to change, 0 to destroy", len(platformCases))) {
		t.Fatalf("plan exited %d, want 2 with a create per platform:\n%s", code, out)
	}
	out = w.Terraform(t, "destroy", "-refresh=false", "-auto-approve", "-input=false")
	if !strings.Contains(out, fmt.Sprintf("Resources: %d destroyed", len(platformCases))) {
		t.Fatalf("destroy:\n%s", out)
	}
}

// unboxed is terraform's human output without the box its diagnostics are drawn in, whose left
// edge starts every wrapped line.
func unboxed(out string) string {
	return strings.NewReplacer("│", " ", "╷", " ", "╵", " ").Replace(out)
}

// misroutedBinding is COC's answer describing pc's binding of identifier id.
func misroutedBinding(pc platformCase, id string) string {
	fields := map[string]string{pc.platform.Identifier.Name: id}
	for f, v := range pc.fields {
		fields[f] = v[0]
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	data, err := json.Marshal(simulator.Success(coc.Binding{AppType: pc.appType, Status: coc.StatusEnabled, Fields: fields, CreatedAt: at, UpdatedAt: at, KeyUpdatedAt: at}))
	if err != nil {
		panic(err)
	}
	return string(data)
}

// stateValues returns the string attributes of one resource in the workspace's state.
func stateValues(t *testing.T, w *cliWorkspace, address string) map[string]string {
	t.Helper()
	values := map[string]string{}
	for _, r := range shownResources(t, w) {
		if r.Address == address {
			for k, v := range r.Values {
				if s, ok := v.(string); ok {
					values[k] = s
				}
			}
		}
	}
	return values
}
