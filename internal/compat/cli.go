// Package compat tells the CLIs that run the provider apart (Terraform or OpenTofu, and which
// version) and what each supports, for tests that check what the CLI under test can do, and runs
// the acceptance tests once per CLI for `make testacc-compat`.
package compat

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
)

// Kind is which CLI a binary is, as its version line names it.
type Kind string

const (
	Terraform Kind = "Terraform"
	OpenTofu  Kind = "OpenTofu"
)

// Release is a CLI release line such as 1.14.
type Release struct{ Major, Minor int }

func (r Release) atLeast(o Release) bool {
	return r.Major > o.Major || r.Major == o.Major && r.Minor >= o.Minor
}

// CLI is one Terraform or OpenTofu binary.
type CLI struct {
	Path    string
	Kind    Kind
	Version string // as the CLI prints it, such as 1.14.9
	Release
}

func (c CLI) String() string { return string(c.Kind) + " " + c.Version }

// RegistryHost is where the CLI looks for a provider whose source names no host ("cocops/coc"):
// each CLI has its own registry.
func (c CLI) RegistryHost() string {
	if c.Kind == OpenTofu {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// versionLine is the first line of `version`. `version -json` says "terraform_version" for
// both CLIs, so only this line tells OpenTofu from Terraform.
var versionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v((\d+)\.(\d+)\.\S*)$`)

// Detect runs the binary at path with `version` and reads which CLI it is. env is the
// environment to run it in (nil: this process's).
func Detect(ctx context.Context, path string, env []string) (CLI, error) {
	//nolint:gosec // G702: path is the CLI the maintainer names (TF_ACC_TERRAFORM_PATH, COMPAT_CLIS): running it is the point.
	cmd := exec.CommandContext(ctx, path, "version")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	cli, err := parseVersion(out)
	if err != nil {
		return CLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	cli.Path = path
	return cli, nil
}

func parseVersion(out []byte) (CLI, error) {
	m := versionLine.FindSubmatch(out)
	if m == nil {
		return CLI{}, errors.New("printed neither a Terraform nor an OpenTofu version:\n" + string(out))
	}
	// The pattern admits only digits there.
	major, _ := strconv.Atoi(string(m[3]))
	minor, _ := strconv.Atoi(string(m[4]))
	return CLI{Kind: Kind(m[1]), Version: string(m[2]), Release: Release{major, minor}}, nil
}

// Feature is something only some CLIs have. Since holds the first release of each kind that
// has it, and no entry for a kind that lacks it.
type Feature struct {
	Name  string
	Since map[Kind]Release
}

var (
	IdentityImportBlocks = Feature{"import blocks with identity", map[Kind]Release{
		Terraform: {1, 12}, OpenTofu: {1, 12},
	}}
	ListResources = Feature{"list resources (the query command)", map[Kind]Release{
		Terraform: {1, 14}, // OpenTofu (1.12) reads no .tfquery.hcl files and has no query command.
	}}
	ImportBlocksInModules = Feature{"import blocks in child modules", map[Kind]Release{
		Terraform: {1, 16}, // OpenTofu (1.12) allows import blocks in the root module only.
	}}
)

// Lacks says why the CLI does not have the feature, or returns "" when it does.
func (c CLI) Lacks(f Feature) string {
	since, ok := f.Since[c.Kind]
	switch {
	case !ok:
		return fmt.Sprintf("%s has no %s", c, f.Name)
	case !c.atLeast(since):
		return fmt.Sprintf("%s need %s %d.%d or later; this is %s", f.Name, c.Kind, since.Major, since.Minor, c)
	}
	return ""
}
