package provider

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/compat"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// Some behaviour can only be seen with the provider as its own process, the way users run it:
// each aliased provider block gets its own instance, TF_LOG captures both sides, and
// `terraform providers schema -json` reads the real binary. The in-process factories of
// terraform-plugin-testing share one instance, so these tests build the provider and run the
// real terraform with dev_overrides (no init, no network).

var buildProvider = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp(buildRoot, "bin-")
	if err != nil {
		return "", err
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-coc"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return dir, nil
})

func newCLIWorkspace(t *testing.T, extraEnv ...string) *cliWorkspace {
	t.Helper()
	cliUnderTest(t) // skips before building unless TF_ACC is set
	binDir, err := buildProvider()
	if err != nil {
		t.Fatal(err)
	}
	return newCLIWorkspaceWithProvider(t, binDir, extraEnv...)
}

// newCLIWorkspaceWithProvider is a workspace whose terraform runs the provider binary in binDir.
func newCLIWorkspaceWithProvider(t *testing.T, binDir string, extraEnv ...string) *cliWorkspace {
	t.Helper()
	cli := cliUnderTest(t)
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n}\n", providerAddress(cli), binDir)
	return newCLIWorkspaceWithConfig(t, rcText, extraEnv...)
}

// newCLIWorkspaceWithConfig is a workspace whose CLI config is rcText and whose HOME is the
// workspace itself, so that terraform sees nothing of the user's.
func newCLIWorkspaceWithConfig(t *testing.T, rcText string, extraEnv ...string) *cliWorkspace {
	return testkit.NewWorkspace(t, rcText, extraEnv...)
}

// cliWorkspace is a directory with a configuration and a CLI config that points terraform at
// the freshly built provider.
type cliWorkspace = testkit.Workspace

// cliUnderTest is the CLI the test drives; it skips unless TF_ACC is set.
func cliUnderTest(t *testing.T) compat.CLI { t.Helper(); return testkit.CLIUnderTest(t) }

func providerAddress(cli compat.CLI) string { return testkit.ProviderAddress(cli) }

const requiredProviders = "terraform {\n  required_providers {\n    coc = { source = \"cocops/coc\" }\n  }\n}\n"

// terraformMessage is the part of a `terraform -json` line the tests read.
type terraformMessage struct {
	Type       string `json:"type"`
	Diagnostic struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Address  string `json:"address"`
		// Snippet is the configuration the diagnostic points at: Code holds its line.
		Snippet struct {
			Code string `json:"code"`
		} `json:"snippet"`
	} `json:"diagnostic"`
	Hook struct {
		Action string `json:"action"`
	} `json:"hook"`
}

func terraformMessages(out string) []terraformMessage {
	var messages []terraformMessage
	scanner := bufio.NewScanner(strings.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var m terraformMessage
		if json.Unmarshal(scanner.Bytes(), &m) == nil {
			messages = append(messages, m)
		}
	}
	return messages
}

// requireCLI skips the test unless the CLI under test has the feature, and says why.
func requireCLI(t *testing.T, f compat.Feature) {
	t.Helper()
	if lacks := cliUnderTest(t).Lacks(f); lacks != "" {
		t.Skip(lacks)
	}
}
