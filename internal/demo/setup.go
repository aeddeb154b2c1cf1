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
)

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

// The lines of coc-simulator's start-up banner that setup reads: its demo tenant's exports
// and its address.
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
