package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

func (d *demo) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.terraform, args...) //nolint:gosec // G204: terraform from PATH with the demo's own arguments.
	cmd.Dir = d.work
	cmd.Env = append(slices.Clone(d.env), d.secretEnv()...)
	isolate(cmd)
	cmd.Cancel = func() error { return interrupt(cmd) }
	// After an interrupt terraform needs a moment to stop its plugins and write the state.
	cmd.WaitDelay = 20 * time.Second
	return cmd
}

// tf runs terraform, shows the command and the lines of its output worth reading (everything
// with -v, or when it fails) and returns the whole output.
func (d *demo) tf(ctx context.Context, args ...string) (string, error) {
	out, code, err := d.tfCode(ctx, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("terraform %s exited with %d", args[0], code)
	}
	return out, err
}

// tfCode is tf for commands whose exit code carries meaning (-detailed-exitcode).
func (d *demo) tfCode(ctx context.Context, args ...string) (string, int, error) {
	out, code, err := d.runTerraform(ctx, args...)
	failed := err != nil || (code != 0 && !slices.Contains(args, "-detailed-exitcode")) || code == 1
	d.show(out, d.Verbose || failed)
	return out, code, err
}

// runTerraform shows the command, runs it and returns its output and exit code, for the
// caller to show.
func (d *demo) runTerraform(ctx context.Context, args ...string) (string, int, error) {
	d.say("    $ terraform %s\n", strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	// Colour codes would split the phrases the checks look for; the narration omits the flag.
	cmd := d.command(ctx, slices.Insert(slices.Clone(args), 1, "-no-color")...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	killGroup(cmd)
	var exit *exec.ExitError
	code := 0
	if errors.As(err, &exit) {
		code, err = exit.ExitCode(), nil
	}
	return out.String(), code, err
}

// show prints terraform output indented: in full, or only the lines worth reading (resource
// headers, attribute changes, summaries and diagnostics), without the dev_overrides warning
// every command prints.
func (d *demo) show(output string, full bool) {
	inDiagnostic, skipping := false, false
	for line := range strings.SplitSeq(strings.TrimRight(output, "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if diagnosticStart.MatchString(line) {
			inDiagnostic, skipping = true, strings.Contains(line, "Provider development overrides are in effect")
		} else if interesting(trimmed) {
			inDiagnostic, skipping = false, false
		}
		if full || (inDiagnostic && !skipping) || (!inDiagnostic && interesting(trimmed)) {
			d.say("      %s\n", line)
		}
	}
}

// Without colour, a diagnostic is a "Warning:" or "Error:" line followed by indented context
// and its detail, up to the next diagnostic or the end of the output.
var diagnosticStart = regexp.MustCompile(`^(Warning|Error): `)

var interestingPrefixes = []string{"Plan:", "Apply complete", "Destroy complete", "No changes."}

// interesting picks resource headers, attribute changes that are not just "known after apply",
// replacement reasons and summaries.
func interesting(line string) bool {
	switch {
	case strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "# (depends on") && !strings.Contains(line, "unchanged attributes hidden"):
		return true
	case strings.Contains(line, " -> ") && !strings.Contains(line, "(known after apply)") && !strings.HasSuffix(line, "-> null"):
		return true
	}
	for _, p := range interestingPrefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// plannedChange is one managed resource's entry in `terraform show -json <plan>`.
type plannedChange struct {
	Actions   []string `json:"actions"`
	Importing *struct {
		ID string `json:"id"`
	} `json:"importing"`
}

// planChanges returns the managed resources a saved plan changes, by address.
func (d *demo) planChanges(ctx context.Context, planFile string) (map[string]plannedChange, error) {
	out, err := d.command(ctx, "show", "-json", planFile).Output()
	if err != nil {
		return nil, fmt.Errorf("terraform show -json %s: %w", planFile, err)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string        `json:"address"`
			Mode    string        `json:"mode"`
			Change  plannedChange `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(out, &plan); err != nil {
		return nil, fmt.Errorf("terraform show -json %s: %w", planFile, err)
	}
	changes := map[string]plannedChange{}
	for _, rc := range plan.ResourceChanges {
		if rc.Mode == "managed" && !slices.Equal(rc.Change.Actions, []string{"no-op"}) {
			changes[rc.Address] = rc.Change
		}
	}
	return changes, nil
}

// expectOnly checks that a plan changes exactly one resource, with the given actions.
func expectOnly(changes map[string]plannedChange, address string, actions ...string) error {
	c, ok := changes[address]
	if !ok || len(changes) != 1 || !slices.Equal(c.Actions, actions) {
		return fmt.Errorf("expected the plan to change only %s, with actions %v; it changes %s", address, actions, describe(changes))
	}
	return nil
}

func describe(changes map[string]plannedChange) string {
	if len(changes) == 0 {
		return "nothing"
	}
	parts := make([]string, 0, len(changes))
	for addr, c := range changes {
		parts = append(parts, fmt.Sprintf("%s %v", addr, c.Actions))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// stateResources reads the local state file: each resource's attributes, by address, and the
// raw file for the check that no secret is in it.
func (d *demo) stateResources() (map[string]map[string]any, []byte, error) {
	raw, err := os.ReadFile(filepath.Join(d.work, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]map[string]any{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var state struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		return nil, nil, fmt.Errorf("terraform.tfstate: %w", err)
	}
	out := map[string]map[string]any{}
	for _, r := range state.Resources {
		if r.Mode == "managed" && len(r.Instances) == 1 {
			out[r.Type+"."+r.Name] = r.Instances[0].Attributes
		}
	}
	return out, raw, nil
}

// keyUpdatedAt is the key_updated_at the state holds for a platform's resource.
func (d *demo) keyUpdatedAt(p platforms.Platform) (string, error) {
	resources, _, err := d.stateResources()
	if err != nil {
		return "", err
	}
	v, _ := resources[address(p)]["key_updated_at"].(string)
	if v == "" {
		return "", fmt.Errorf("the state has no key_updated_at for %s", address(p))
	}
	return v, nil
}

// mustContain checks that terraform's output says what the narration promised.
func mustContain(output string, phrases ...string) error {
	for _, p := range phrases {
		if !strings.Contains(output, p) {
			return fmt.Errorf("expected terraform's output to contain %q; it does not", p)
		}
	}
	return nil
}
