package testkit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

// CLIUnderTest returns the CLI the test drives (compat.UnderTest: the one terraform-plugin-testing
// runs too). Like every test that drives one, it skips unless TF_ACC is set.
func CLIUnderTest(t *testing.T) compat.CLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI (make test does)")
	}
	cli, err := compat.UnderTest()
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

// ProviderAddress is what the source "cocops/coc" means to cli.
func ProviderAddress(cli compat.CLI) string { return cli.RegistryHost() + "/cocops/coc" }

// Workspace is a directory where a test runs the CLI under test with the CLI config it was made
// with and nothing of the user's (compat.IsolatedEnv): HOME is the workspace itself.
type Workspace struct {
	Dir string
	Env []string
}

// NewWorkspace makes a workspace whose CLI config is rcText; extraEnv is added to its environment.
// It skips the test unless TF_ACC is set.
func NewWorkspace(t *testing.T, rcText string, extraEnv ...string) *Workspace {
	t.Helper()
	CLIUnderTest(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Workspace{Dir: dir, Env: append(compat.IsolatedEnv(dir, rc), extraEnv...)}
}

// WriteFile writes a file of the workspace.
func (w *Workspace) WriteFile(t *testing.T, name, content string) {
	t.Helper()
	root, err := os.OpenRoot(w.Dir)
	if err == nil {
		err = errors.Join(root.WriteFile(name, []byte(content), 0o600), root.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// WriteConfig replaces the workspace's configuration, main.tf.
func (w *Workspace) WriteConfig(t *testing.T, content string) { w.WriteFile(t, "main.tf", content) }

// ReadFile reads a file of the workspace.
func (w *Workspace) ReadFile(t *testing.T, name string) string {
	t.Helper()
	content, err := os.ReadFile(filepath.Join(w.Dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// Terraform runs the CLI and returns its combined output; it fails the test unless the CLI
// succeeds.
func (w *Workspace) Terraform(t *testing.T, args ...string) string {
	t.Helper()
	out, err := w.Run(args...)
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Run runs the CLI and returns its combined output and how it ended, for tests that expect it
// to fail.
func (w *Workspace) Run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := w.Command(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// Command prepares a CLI process in the workspace, for tests that drive it themselves.
func (w *Workspace) Command(ctx context.Context, args ...string) *exec.Cmd {
	//nolint:gosec // G204: tests run the CLI under test, which the test runner names.
	cmd := exec.CommandContext(ctx, os.Getenv(compat.EnvTerraformPath), args...)
	cmd.Dir, cmd.Env = w.Dir, w.Env
	return cmd
}
