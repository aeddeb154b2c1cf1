package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Peak memory of the provider process itself, not Terraform's: the dev_overrides of this
// workspace point at a copy of this program, which runs the real provider as its child and
// records the child's peak RSS when it exits.

const (
	envWrapTarget = "COC_BENCH_WRAP_TARGET"
	envWrapReport = "COC_BENCH_WRAP_REPORT"
	maxPeakRSS    = 40 << 20
)

// wrapProvider runs when this program was started by Terraform as a provider. It passes
// arguments, environment and standard streams through, so the go-plugin handshake and gRPC
// reach the real provider unchanged, and returns the child's exit code.
func wrapProvider(target, reportFile string) int {
	cmd := exec.Command(target, os.Args[1:]...) //nolint:gosec // G204: runs the provider this benchmark built, as Terraform asked
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if rss, ok := peakRSS(cmd.ProcessState); ok {
		//nolint:gosec // G703: the path comes from the benchmark that started Terraform
		if f, openErr := os.OpenFile(reportFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); openErr == nil {
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			_, _ = fmt.Fprintf(f, "%d %d\n", rss, int64(cpu))
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// probedWorkspace is a workspace whose provider runs under the wrapper, which reports each
// launch of it.
type probedWorkspace struct {
	*workspace
	reportFile string
}

// launch is one provider process as the wrapper saw it.
type launch struct {
	peakRSS int64
	cpu     time.Duration
}

func (tc *toolchain) probedWorkspace(name, target string) (*probedWorkspace, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(tc.tmp, name+"-wrapper")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := copyFile(self, filepath.Join(dir, filepath.Base(target))); err != nil {
		return nil, err
	}
	reportFile := filepath.Join(tc.tmp, name+"-launches.txt")
	w, err := tc.newWorkspace(name, dir, envWrapTarget+"="+target, envWrapReport+"="+reportFile)
	return &probedWorkspace{workspace: w, reportFile: reportFile}, err
}

// launches runs terraform and returns the provider processes it started.
func (w *probedWorkspace) launches(ctx context.Context, args ...string) ([]launch, error) {
	_ = os.Remove(w.reportFile)
	if _, err := w.terraform(ctx, args...); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(w.reportFile)
	if err != nil {
		return nil, fmt.Errorf("the wrapper reported no provider process: %w", err)
	}
	var out []launch
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l launch
		if _, err := fmt.Sscan(line, &l.peakRSS, &l.cpu); err != nil {
			return nil, fmt.Errorf("wrapper report %q: %w", line, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// Peak memory during a plan that refreshes a binding per platform, next to the reference provider's plan of
// its one resource.
func measurePeakRSS(ctx context.Context, tc *toolchain, r *report) error {
	f := newFleet(1)
	defer f.close()
	peak := func(name, target, config string) (int64, error) {
		w, err := tc.probedWorkspace(name, target)
		if err != nil {
			return 0, err
		}
		if err := w.writeConfig(config); err != nil {
			return 0, err
		}
		if _, err := w.terraform(ctx, "apply", "-no-color", "-auto-approve", "-input=false"); err != nil {
			return 0, err
		}
		launches, err := w.launches(ctx, "plan", "-no-color", "-input=false")
		var most int64
		for _, l := range launches {
			most = max(most, l.peakRSS)
		}
		return most, err
	}
	coc, err := peak("rss-coc", tc.cocBinary, f.config(0))
	if err != nil {
		return err
	}
	ref, err := peak("rss-ref", tc.refBinary, refVariant.config)
	if err != nil {
		return err
	}
	r.check(row{
		section: "memory", measure: fmt.Sprintf("provider peak RSS, plan of %d bindings", bindingsPerTenant), value: mib(coc),
		against: "reference, 1 resource: " + mib(ref), ratio: times(float64(coc) / float64(ref)), target: "≤ " + mib(maxPeakRSS),
	}, float64(coc), maxPeakRSS)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o700) //nolint:gosec // G302: the copy is a program Terraform executes
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
