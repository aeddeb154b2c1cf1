// Package demo walks through the provider's user journeys with the real terraform and checks
// that each step behaves as it narrates. cmd/coc-demo runs it (make demo).
package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Options configure a run.
type Options struct {
	// Out receives the narration and terraform's output.
	Out io.Writer
	// Verbose shows terraform's full output instead of the lines that matter.
	Verbose bool
	// Interpose, when set, receives the simulator's URL and returns the one terraform should
	// use. Tests put a misbehaving COC there to prove that the demo notices.
	Interpose func(simulatorURL string) (string, error)
}

// demo is one run: a temporary directory with the built binaries and the terraform working
// directory, the environment every terraform call gets, and what the configuration says now.
type demo struct {
	Options
	root      string
	tmp       string
	work      string
	terraform string
	env       []string
	// sim is the simulator's admin API; nil against a real COC.
	sim    *simAdmin
	simCmd *exec.Cmd
	// values are the variables' values; userVars are the ones the user set as TF_VAR_*
	// (honoured against a real COC only, where the demo's made-up apps may not do).
	values   map[string]string
	userVars map[string]bool
	// versions holds each secret's X_wo_version, by variable name.
	versions map[string]int
	config   configShape
	// applied is true while the state may hold bindings.
	applied bool
}

// StepError names the step that did not behave as narrated.
type StepError struct {
	Number int
	Name   string
	Err    error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %d (%s) did not behave as narrated: %v", e.Number, e.Name, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// Run builds the provider, starts the simulator (unless HW_ACCESS_KEY and HW_SECRET_KEY name a
// real COC) and walks through the steps. It returns a *StepError for the first step that does
// not behave as narrated, and cleans up its processes and files in every case.
func Run(ctx context.Context, opts Options) (err error) {
	d := &demo{Options: opts, values: map[string]string{}, userVars: map[string]bool{}, versions: map[string]int{}}
	if d.tmp, err = os.MkdirTemp("", "coc-demo-"); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, d.cleanup(ctx, err != nil)) }()
	if err := d.setup(ctx); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	all := steps()
	for i, s := range all {
		d.say("\n==> Step %d/%d: %s\n", i+1, len(all), s.title)
		if s.simulatorOnly && d.sim == nil {
			d.say("    Skipped against a real COC: %s\n", s.realCOC)
			continue
		}
		d.narrate(s.narration)
		if err := s.run(ctx, d); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted during step %d (%s)", i+1, s.name)
			}
			return &StepError{Number: i + 1, Name: s.name, Err: err}
		}
	}
	return nil
}

// setup finds the tools, builds the provider (and the simulator), starts the simulator unless
// HW_ACCESS_KEY and HW_SECRET_KEY point at a real COC, and writes the dev_overrides CLI config.
func (d *demo) setup(ctx context.Context) error {
	var err error
	if d.root, err = moduleRoot(ctx); err != nil {
		return err
	}
	if d.terraform, err = exec.LookPath("terraform"); err != nil {
		return errors.New("terraform was not found on PATH: install Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install)")
	}
	realCOC := os.Getenv("HW_ACCESS_KEY") != "" && os.Getenv("HW_SECRET_KEY") != ""
	bin := filepath.Join(d.tmp, "bin")
	if realCOC {
		d.say("Building the provider...\n")
	} else {
		d.say("Building the provider and the COC simulator...\n")
	}
	simBuilt := make(chan error, 1)
	if realCOC {
		simBuilt <- nil
	} else {
		go func() {
			simBuilt <- d.goBuild(ctx, filepath.Join(d.tmp, "coc-simulator"), "./internal/simulator/cmd/coc-simulator")
		}()
	}
	if err := errors.Join(d.goBuild(ctx, filepath.Join(bin, "terraform-provider-coc"), "."), <-simBuilt); err != nil {
		return err
	}

	rc := filepath.Join(d.tmp, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n}\n", "registry.terraform.io/cocops/coc", bin)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return err
	}
	d.work = filepath.Join(d.tmp, "work")
	if err := os.Mkdir(d.work, 0o700); err != nil {
		return err
	}
	d.env = append(hermeticEnv(os.Environ(), realCOC), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	d.initValues(realCOC)
	if err := d.checkTerraformVersion(ctx); err != nil {
		return err
	}

	if realCOC {
		d.say("HW_ACCESS_KEY and HW_SECRET_KEY are set: running against the real COC they name (%s).\n"+
			"Unset HW_ACCESS_KEY to use the simulator instead. The demo unbinds whatever it bound, also when it fails.\n"+
			"It binds made-up apps unless you set TF_VAR_<name> for these variables:\n    %s\n",
			realTarget(), strings.Join(slices.Sorted(maps.Keys(d.values)), ", "))
		return nil
	}
	if err := d.startSimulator(ctx); err != nil {
		return err
	}
	return d.registerApps(ctx)
}

// hermeticEnv keeps the user's environment except what would change terraform's behaviour
// behind the demo's back: TF_* settings (logging aside) and, for the simulator, the HW_*
// credentials. Against a real COC, the HW_* variables and TF_VAR_* values are the point.
func hermeticEnv(environ []string, realCOC bool) []string {
	keepTF := []string{"TF_LOG", "TF_LOG_PATH", "TF_LOG_CORE", "TF_LOG_PROVIDER"}
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TF_VAR_"):
			return !realCOC
		case strings.HasPrefix(name, "TF_"):
			return !slices.Contains(keepTF, name)
		case strings.HasPrefix(name, "HW_"):
			return !realCOC
		}
		return name == "CHECKPOINT_DISABLE"
	})
}

func realTarget() string {
	if e := os.Getenv("HW_COC_ENDPOINT"); e != "" {
		return e
	}
	if r := os.Getenv("HW_REGION_NAME"); r != "" {
		return "region " + r
	}
	return "the default region"
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the demo from the provider's repository (make demo)")
	}
	return filepath.Dir(gomod), nil
}

func (d *demo) goBuild(ctx context.Context, output, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", output, pkg)
	cmd.Dir = d.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return nil
}

func (d *demo) checkTerraformVersion(ctx context.Context) error {
	out, err := d.command(ctx, "version", "-json").Output()
	if err != nil {
		return fmt.Errorf("terraform version: %w", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("terraform version -json: %w", err)
	}
	var major, minor int
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &major, &minor); err != nil || major < 1 || (major == 1 && minor < 11) {
		return fmt.Errorf("terraform %s is too old: write-only attributes need Terraform 1.11 or later", v.Version)
	}
	d.say("Using terraform %s (%s) with a dev_overrides CLI config: no terraform init, no registry.\n", v.Version, d.terraform)
	return nil
}

// simulatorBanner is what coc-simulator prints on start.
var (
	exportLine    = regexp.MustCompile(`^export (HW_[A-Z_]+)=(\S+)$`)
	listeningLine = regexp.MustCompile(`^listening on (http://\S+)$`)
)

// startSimulator runs coc-simulator on a free loopback port and takes the demo tenant's keys
// from the exports it prints.
func (d *demo) startSimulator(ctx context.Context) error {
	cmd := exec.Command(filepath.Join(d.tmp, "coc-simulator"), "-listen", "127.0.0.1:0") //nolint:gosec // G204: the binary the demo just built.
	isolate(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	d.simCmd = cmd

	type banner struct {
		url     string
		exports []string
	}
	ready := make(chan banner, 1)
	go func() {
		var b banner
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := exportLine.FindStringSubmatch(lines.Text()); m != nil && m[1] != "HW_COC_ENDPOINT" {
				b.exports = append(b.exports, m[1]+"="+m[2])
			}
			if m := listeningLine.FindStringSubmatch(lines.Text()); m != nil {
				b.url = m[1]
				ready <- b
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case b := <-ready:
		url := b.url
		if d.Interpose != nil {
			if url, err = d.Interpose(url); err != nil {
				return err
			}
		}
		d.env = append(d.env, append(b.exports, "HW_COC_ENDPOINT="+url)...)
		d.sim = &simAdmin{url: url}
		d.say("Started the COC simulator on %s (HW_ACCESS_KEY, HW_SECRET_KEY, HW_DOMAIN_ID and HW_COC_ENDPOINT point at it).\n", url)
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the simulator did not report its address within 30s\n%s", stderr.String())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cleanup unbinds what a failed or interrupted run left in a real COC, stops the simulator and
// removes the temporary directory. A second Ctrl-C skips the unbinding.
func (d *demo) cleanup(ctx context.Context, failed bool) error {
	var errs []error
	if d.applied && d.sim == nil && failed {
		cleanupCtx, stop := signal.NotifyContext(context.WithoutCancel(ctx), os.Interrupt, syscall.SIGTERM)
		cleanupCtx, cancel := context.WithTimeout(cleanupCtx, 5*time.Minute)
		d.say("\nUnbinding what the demo bound in COC (Ctrl-C to skip)...\n")
		if _, err := d.tf(cleanupCtx, "destroy", "-auto-approve"); err != nil {
			errs = append(errs, fmt.Errorf("the demo could not unbind its apps; check the COC console: %w", err))
		}
		cancel()
		stop()
	}
	if d.simCmd != nil {
		if err := terminate(d.simCmd); err != nil {
			errs = append(errs, fmt.Errorf("stopping the simulator: %w", err))
		}
		done := make(chan struct{})
		go func() { _ = d.simCmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			killGroup(d.simCmd)
		}
	}
	if err := os.RemoveAll(d.tmp); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.Out, format, args...) }

func (d *demo) narrate(text string) {
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		d.say("    %s\n", strings.TrimSpace(line))
	}
}

// ok reports a check that passed.
func (d *demo) ok(format string, args ...any) { d.say("    OK: "+format+"\n", args...) }

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
func (d *demo) keyUpdatedAt(p coc.Platform) (string, error) {
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
