package provider

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// When the provider calls IAM and the metadata service: never to validate or to show its schema,
// at most once per provider process while nothing expires, and again only to renew.

// credentialSource returns the source of credentialSources called name.
func sourceNamed(t *testing.T, name string) credentialSource {
	t.Helper()
	i := slices.IndexFunc(credentialSources, func(s credentialSource) bool { return s.name == name })
	if i < 0 {
		t.Fatalf("no credential source %q", name)
	}
	return credentialSources[i]
}

// allPlatforms renders the bindings of every platform but Lark, which with the workspace's Lark
// binding make one of each, and a coc_mobile_apps read after them all.
func allPlatforms() []string {
	var blocks, addresses []string
	for _, pc := range platformCases {
		if pc.appType != platforms.Lark {
			blocks = append(blocks, pc.resourceBlock("this", nil))
		}
		addresses = append(addresses, pc.address("this"))
	}
	return append(blocks, "data \"coc_mobile_apps\" \"all\" {\n  depends_on = ["+strings.Join(addresses, ", ")+"]\n}\n")
}

// terraform validate and terraform providers schema -json configure no provider, so neither the
// metadata service nor IAM (for an agency, or for an identity token and then an agency) is called
// for them; the plan then calls them, which shows that the world would have seen the calls.
func TestCLI_ValidateAndSchemaObtainNoCredentials(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ECS metadata service at HW_METADATA_ENDPOINT", "assume_role by domain_name, domain_id the caller's",
		"assume_role_with_oidc with id_token_file and an agency, from the environment"} {
		src := sourceNamed(t, name)
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			w := newSourceWorld(t)
			ws := w.workspace(t, src, nil)
			ws.Terraform(t, "validate", "-no-color")
			ws.Terraform(t, "providers", "schema", "-json")
			if calls := w.sim.Requests(); len(calls) != 0 {
				t.Fatalf("validate and providers schema called %+v", calls)
			}
			ws.Terraform(t, "plan", "-input=false", "-no-color")
			if len(w.sim.IssuedCredentials()) == 0 {
				t.Fatalf("the plan obtained no credentials either: the test would not see validate's calls")
			}
		})
	}
}

// pluginStarted is go-plugin's line for each provider process a CLI starts (Terraform and
// OpenTofu alike), at DEBUG.
var pluginStarted = regexp.MustCompile(`plugin started: path=\S*terraform-provider-coc\S* pid=(\d+)`)

// providerProcesses counts the coc provider processes a DEBUG log shows.
func providerProcesses(t *testing.T, logFile string) int {
	t.Helper()
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]bool{}
	for _, m := range pluginStarted.FindAllStringSubmatch(string(data), -1) {
		pids[m[1]] = true
	}
	if len(pids) == 0 {
		t.Fatalf("the log names no provider process (%d bytes): has the CLI's log line changed?", len(data))
	}
	return len(pids)
}

// While nothing expires, a terraform apply obtains credentials at least once, and at most once per
// provider process the CLI starts (one per walk: validate, plan, apply), however many resources
// need them: a create, and a refresh with no change.
func TestCLI_AnApplyObtainsCredentialsAtMostOncePerProviderProcess(t *testing.T) {
	t.Parallel()
	w := newSourceWorld(t)
	logFile := filepath.Join(t.TempDir(), "debug.log")
	ws := w.workspace(t, sourceNamed(t, "assume_role by domain_name, domain_id the caller's"), []string{"TF_LOG=DEBUG", "TF_LOG_PATH=" + logFile}, allPlatforms()...)
	for _, run := range []string{"creating a binding per platform", "refreshing them, without changes"} {
		if err := os.WriteFile(logFile, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		before := len(w.sim.IssuedCredentials())
		ws.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color")
		issued, processes := len(w.sim.IssuedCredentials())-before, providerProcesses(t, logFile)
		t.Logf("terraform apply %s: IAM issued %d keys to %d provider processes", run, issued, processes)
		if issued < 1 || issued > processes {
			t.Errorf("terraform apply %s: IAM issued %d keys to %d provider processes, want 1 to %d", run, issued, processes, processes)
		}
	}
	w.expectBindingsIn(t, agencyAccount, len(platformCases))
}

// Credentials that expire 15 s after they are issued, through an apply that takes longer (3 s of
// latency on every COC request, one resource at a time): the provider renews them before they
// expire, and the apply succeeds with COC refusing at most one request as expired (renewed and
// sent once more).
func TestCLI_CredentialsAreRenewedDuringALongApply(t *testing.T) {
	t.Parallel()
	w := newSourceWorld(t)
	w.sim.SetIssuedLifetime(15 * time.Second)
	if err := w.sim.InjectFault(simulator.Fault{PathPrefix: coc.MobileAppsPath, LatencyMS: 3000}); err != nil {
		t.Fatal(err)
	}
	ws := w.workspace(t, sourceNamed(t, "assume_role by domain_id, the base key pair from the environment"), nil, allPlatforms()...)
	start := time.Now()
	ws.Terraform(t, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=1")
	took := time.Since(start)
	w.expectBindingsIn(t, agencyAccount, len(platformCases))

	// The plan asks COC once per create whether the platform is free; every COC request after
	// those came from the apply's one provider process: more than one key among them is a
	// renewal within that process.
	planned := len(platformCases)
	var served []string
	refused := 0
	for _, r := range w.sim.Requests() {
		switch {
		case !strings.HasPrefix(r.Path, coc.MobileAppsPath):
		case r.Status == http.StatusUnauthorized:
			refused++
		default:
			served = append(served, r.Method)
		}
	}
	methods, keys := w.cocSigners()
	methods, keys = methods[planned:], keys[planned:]
	slices.Sort(keys)
	distinct := slices.Compact(keys)
	t.Logf("the apply took %s; IAM issued %d keys in all, %d of them signed COC's %d requests", took.Round(100*time.Millisecond),
		len(w.sim.IssuedCredentials()), len(distinct), len(methods))
	// The plan's question per create, then for each create the apply's own question and the
	// POST, then the list.
	var want []string
	for range platformCases {
		want = append(want, "GET")
	}
	for range platformCases {
		want = append(want, "GET", "POST")
	}
	if want = append(want, "GET"); !slices.Equal(served, want) {
		t.Fatalf("COC served %v, want %v: the plan's questions, the creates and the list, one at a time", served, want)
	}
	if refused > 1 {
		t.Errorf("COC refused %d requests as expired: renewing before expiry leaves at most one (renewed, then sent again)", refused)
	}
	if len(distinct) < 2 || slices.ContainsFunc(methods, func(m string) bool { return m != credentials.MethodAssumeRole }) {
		t.Errorf("COC's requests were signed with %d agency keys (issued by %q): the credentials were not renewed during the apply", len(distinct), methods)
	}
}
