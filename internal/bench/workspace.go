package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Provider source addresses the dev_overrides map to the binaries this run builds.
const (
	cocSource = "registry.terraform.io/cocops/coc"
	refSource = "registry.terraform.io/bench/ref"
)

// toolchain holds the binaries of one run: terraform and the providers, built as the release
// builds them.
type toolchain struct {
	terraform string
	tmp       string
	// binDir holds terraform-provider-coc and terraform-provider-ref.
	binDir string
	// cocBinary is the stripped release build of the provider, refBinary the reference's.
	cocBinary, refBinary string
}

func newToolchain(ctx context.Context, repoRoot string) (*toolchain, error) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH") // set by make
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			return nil, fmt.Errorf("terraform is not on PATH: %w", err)
		}
	}
	tmp, err := os.MkdirTemp("", "coc-bench-")
	if err != nil {
		return nil, err
	}
	tc := &toolchain{terraform: terraform, tmp: tmp, binDir: filepath.Join(tmp, "bin")}
	tc.cocBinary = filepath.Join(tc.binDir, "terraform-provider-coc")
	tc.refBinary = filepath.Join(tc.binDir, "terraform-provider-ref")
	for pkg, out := range map[string]string{".": tc.cocBinary, "./internal/bench/refprovider": tc.refBinary} {
		if err := releaseBuild(ctx, repoRoot, pkg, out); err != nil {
			return nil, err
		}
	}
	return tc, nil
}

// releaseBuild builds a package with the flags of .goreleaser.yml.
func releaseBuild(ctx context.Context, repoRoot, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, output)
	}
	return nil
}

func (tc *toolchain) cleanup() { _ = os.RemoveAll(tc.tmp) }

// workspace is a directory with a configuration and a CLI config whose dev_overrides point
// terraform at providerDir, so no init and no network are needed.
type workspace struct {
	tc  *toolchain
	dir string
	env []string
}

func (tc *toolchain) newWorkspace(name, providerDir string, extraEnv ...string) (*workspace, error) {
	dir := filepath.Join(tc.tmp, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, ".terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n}\n",
		cocSource, providerDir, refSource, providerDir)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return nil, err
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	return &workspace{tc: tc, dir: dir, env: append(env, extraEnv...)}, nil
}

func (w *workspace) writeConfig(content string) error {
	return os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(content), 0o600)
}

// measurement is one terraform run.
type measurement struct {
	wall time.Duration
	// cpu is user plus system time of terraform and every process it started and waited for
	// (the providers), as wait4 reports it.
	cpu time.Duration
}

// terraform runs the CLI and fails unless it succeeds.
func (w *workspace) terraform(ctx context.Context, args ...string) (measurement, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.tc.terraform, args...) //nolint:gosec // G204: running terraform is what is measured
	cmd.Dir = w.dir
	cmd.Env = w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return measurement{}, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 4000))
	}
	return measurement{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// terraformVersion is the first line of `terraform version`, for the report.
func (tc *toolchain) terraformVersion(ctx context.Context) string {
	cmd := exec.CommandContext(ctx, tc.terraform, "version") //nolint:gosec // G204: the terraform under test
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "terraform (version unknown)"
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}
