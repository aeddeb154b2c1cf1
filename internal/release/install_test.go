package release

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Until the provider is published, `make install-local` is how users get it: the provider laid
// out in the implied local mirror, where a plain `terraform init` (no dev_overrides, no CLI
// config) finds it, checks it and records it in the lock file, as it would a release.
func TestCLI_InstallLocalIsFoundByAPlainInit(t *testing.T) {
	cli := cliUnderTest(t)
	w := newWorkspace(t, "# No provider_installation: the implied local mirrors, as without any CLI config.\n")
	plugins := filepath.Join(w.Dir, ".terraform.d", "plugins")
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

	// A user's first configuration: a resource's example as it is, and the provider block.
	coc := serveCOC(t)
	example := filepath.Join(repository, "examples", "resources", "coc_"+string(platforms.Lark)+"_app", "plaintext.tf")
	content, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteFile(t, "plaintext.tf", string(content))
	w.WriteFile(t, "provider.tf", coc.providerConfig())
	w.Terraform(t, "init", "-input=false")
	expectLocked(t, w, providerAddress(cli), version, h1)
	plan := []string{"plan", "-input=false", "-no-color"}
	for _, m := range regexp.MustCompile(`(?m)^variable "(\w+)"`).FindAllStringSubmatch(string(content), -1) {
		// 64 characters, a valid secret on every platform.
		plan = append(plan, "-var", fmt.Sprintf("%s=%s", m[1], strings.Repeat("x", 64)))
	}
	if out := w.Terraform(t, plan...); !strings.Contains(out, "1 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the plan of %s does not create the binding:\n%s", example, out)
	}
	coc.expectVersion(t, version) // the data source read COC during the plan
}

// `make install` puts the provider, and nothing else, in the GOBIN of the caller's environment,
// as `go install` would: the GNUmakefile must not pick its own.
func TestMakeInstallHonoursGOBIN(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the tests that run make targets (make test does)")
	}
	gobin := t.TempDir()
	cmd := exec.Command("make", "--no-print-directory", "install")
	cmd.Dir = repository
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
	cmd.Dir = repository
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
