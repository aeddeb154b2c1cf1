// Package release holds the checks of what users install: the release `make release-check`
// builds, checked as the Registry checks it and installed by each CLI from a network mirror and
// through the registry protocol (the TestRelease_ tests), and what `make install-local` and
// `make install` lay out (run by `make test`). It has only tests: nothing here ships.
package release

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cocops/terraform-provider-coc/internal/compat"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// repository is the repository's root, from this package's directory where go test runs.
const repository = "../.."

func newWorkspace(t *testing.T, rcText string, extraEnv ...string) *workspace {
	return testkit.NewWorkspace(t, rcText, extraEnv...)
}

// workspace is a directory where the CLI under test runs with the CLI config rcText and nothing
// of the user's: it finds the provider only where that config, or the implied local mirror in the
// workspace's own HOME, says.
type workspace = testkit.Workspace

func cliUnderTest(t *testing.T) compat.CLI { t.Helper(); return testkit.CLIUnderTest(t) }

func providerAddress(cli compat.CLI) string { return testkit.ProviderAddress(cli) }

// simulatedCOC is a simulator with one tenant, behind a proxy that notes the User-Agent of each
// request, so that a test can tell which version of the provider COC saw.
type simulatedCOC struct {
	url    string
	tenant simulator.Tenant
	mu     sync.Mutex
	agents []string
}

func serveCOC(t *testing.T) *simulatedCOC {
	t.Helper()
	c := &simulatedCOC{tenant: simulator.Tenant{AccessKey: "AKTEST00", SecretKey: "SK-release-test-00-0123456789", DomainID: "domain-00"}}
	sim := simulator.New([]simulator.Tenant{c.tenant}, simulator.WithSeed(1))
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.agents = append(c.agents, r.UserAgent())
		c.mu.Unlock()
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	c.url = server.URL
	return c
}

// providerConfig configures the provider for the tenant, with a data source that reads COC while
// planning.
func (c *simulatedCOC) providerConfig() string {
	return fmt.Sprintf("provider \"coc\" {\n  endpoint   = %q\n  access_key = %q\n  secret_key = %q\n  domain_id  = %q\n}\n\n"+
		"data \"coc_mobile_apps\" \"all\" {}\n", c.url, c.tenant.AccessKey, c.tenant.SecretKey, c.tenant.DomainID)
}

// expectVersion checks that the provider reported version in every request COC saw, and that
// COC saw some.
func (c *simulatedCOC) expectVersion(t *testing.T, version string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	want := "terraform-provider-coc/" + version + " "
	if len(c.agents) == 0 || slices.ContainsFunc(c.agents, func(a string) bool { return !strings.HasPrefix(a, want) }) {
		t.Fatalf("COC saw the user agents %q, want %s...", c.agents, want)
	}
}

// expectLocked checks that the workspace's lock file holds the provider at version with the
// given hashes and no others.
func expectLocked(t *testing.T, w *workspace, address, version string, hashes ...string) {
	t.Helper()
	var lock struct {
		Providers []struct {
			Address string   `hcl:"address,label"`
			Version string   `hcl:"version"`
			Hashes  []string `hcl:"hashes"`
			Rest    hcl.Body `hcl:",remain"`
		} `hcl:"provider,block"`
	}
	src := w.ReadFile(t, ".terraform.lock.hcl")
	file, diags := hclsyntax.ParseConfig([]byte(src), ".terraform.lock.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diags := gohcl.DecodeBody(file.Body, nil, &lock); diags.HasErrors() {
		t.Fatalf("%s\n%s", diags.Error(), src)
	}
	if len(lock.Providers) != 1 {
		t.Fatalf("the lock file records %d providers, want %s only:\n%s", len(lock.Providers), address, src)
	}
	p := lock.Providers[0]
	slices.Sort(p.Hashes)
	slices.Sort(hashes)
	if p.Address != address || p.Version != version || !slices.Equal(p.Hashes, hashes) {
		t.Fatalf("the lock file records %s %s %v, want %s %s %v:\n%s", p.Address, p.Version, p.Hashes, address, version, hashes, src)
	}
}
