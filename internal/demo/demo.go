// Package demo walks through the provider's user journeys with the real terraform and checks
// that each step behaves as it narrates. cmd/coc-demo runs it (make demo).
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
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

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.Out, format, args...) }

func (d *demo) narrate(text string) {
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		d.say("    %s\n", strings.TrimSpace(line))
	}
}

// ok reports a check that passed.
func (d *demo) ok(format string, args ...any) { d.say("    OK: "+format+"\n", args...) }
