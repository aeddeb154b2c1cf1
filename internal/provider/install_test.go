package provider

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"golang.org/x/mod/sumdb/dirhash"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Until the provider is published, `make install-local` is how users get it: the provider laid
// out in the implied local mirror, where a plain `terraform init` (no dev_overrides, no CLI
// config) finds it, checks it and records it in the lock file, as it would a release.
func TestCLI_InstallLocalIsFoundByAPlainInit(t *testing.T) {
	cli := cliUnderTest(t)
	w := newCLIWorkspaceWithConfig(t, "# No provider_installation: the implied local mirrors, as without any CLI config.\n")
	plugins := filepath.Join(w.dir, ".terraform.d", "plugins")
	installLocal(t, plugins)

	// One version for this machine, holding just the binary named as a release names it.
	platform := runtime.GOOS + "_" + runtime.GOARCH
	packages, err := filepath.Glob(filepath.Join(plugins, cli.RegistryHost(), "cocops", "coc", "*", platform))
	if err != nil || len(packages) != 1 {
		t.Fatalf("install-local laid out %v for %s %s, want one version (%v)", packages, cli.RegistryHost(), platform, err)
	}
	pkg := packages[0]
	version := filepath.Base(filepath.Dir(pkg))
	if entries, err := os.ReadDir(pkg); err != nil || len(entries) != 1 || entries[0].Name() != "terraform-provider-coc_v"+version+exeSuffix() {
		t.Fatalf("%s holds %v (%v), want only terraform-provider-coc_v%s", pkg, entries, err, version)
	}
	h1, err := dirhash.HashDir(pkg, "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}

	env := newSimEnv(t, 1)
	checkVersion := checkReportedVersion(t, env)
	lark := platformCaseFor(platforms.Lark)
	w.writeConfig(t, requiredProviders+env.providerBlock(0, "")+"data \"coc_mobile_apps\" \"all\" {}\n"+lark.resourceBlock("this", nil))
	w.terraform(t, "init", "-input=false")
	expectLocked(t, w, providerAddress(cli), version, h1)
	if out := w.terraform(t, "plan", "-input=false", "-no-color"); !strings.Contains(out, "1 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the plan does not create the binding:\n%s", out)
	}
	checkVersion(version) // the data source read COC during the plan
}

// `make install` puts the provider, and nothing else, in the GOBIN of the caller's environment,
// as `go install` would: the GNUmakefile must not pick its own.
func TestMakeInstallHonoursGOBIN(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the tests that run make targets (make test does)")
	}
	gobin := t.TempDir()
	cmd := exec.Command("make", "--no-print-directory", "install")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(gobin)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"terraform-provider-coc" + exeSuffix()}; !slices.Equal(names, want) {
		t.Fatalf("GOBIN=%s make install installed %v there, want %v", gobin, names, want)
	}
}

// installLocal runs `make install-local` into plugins: the tests check what users run.
func installLocal(t *testing.T, plugins string) {
	t.Helper()
	cmd := exec.Command("make", "--no-print-directory", "install-local", "PLUGIN_DIR="+plugins)
	cmd.Dir = "../.." // the repository, from this package's directory where go test runs
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install-local: %v\n%s", err, out)
	}
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// checkReportedVersion puts a proxy in front of the simulator that notes each request's
// User-Agent, and returns a check that the provider reported version in all of them.
func checkReportedVersion(t *testing.T, env *simEnv) func(version string) {
	t.Helper()
	var mu sync.Mutex
	var agents []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.UserAgent())
		mu.Unlock()
		env.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	env.url = proxy.URL
	return func(version string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		want := "terraform-provider-coc/" + version + " "
		if len(agents) == 0 || slices.ContainsFunc(agents, func(a string) bool { return !strings.HasPrefix(a, want) }) {
			t.Fatalf("COC saw the user agents %q, want %s...", agents, want)
		}
	}
}

// expectLocked checks that the workspace's lock file holds the provider at version with the
// given hashes and no others.
func expectLocked(t *testing.T, w *cliWorkspace, address, version string, hashes ...string) {
	t.Helper()
	var lock struct {
		Providers []struct {
			Address string   `hcl:"address,label"`
			Version string   `hcl:"version"`
			Hashes  []string `hcl:"hashes"`
			Rest    hcl.Body `hcl:",remain"`
		} `hcl:"provider,block"`
	}
	src := w.readFile(t, ".terraform.lock.hcl")
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
