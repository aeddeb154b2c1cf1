package readiness

import (
	"fmt"
	"strings"
)

// Mode says whether bindings are checked, and what a verdict that is not ready does to a plan.
type Mode string

const (
	// Off makes no platform call: only the checks that need none run (Local).
	Off Mode = "off"
	// Warn reports every verdict that is not ready as a warning: for estates that exist.
	Warn Mode = "warn"
	// Enforce fails the plan on a binding that is not ready: for CI.
	Enforce Mode = "enforce"
)

// Modes lists the modes, the default first.
func Modes() []Mode { return []Mode{Off, Warn, Enforce} }

// ParseMode reads a mode as written in a configuration; "" is Off.
func ParseMode(s string) (Mode, error) {
	if s == "" {
		return Off, nil
	}
	for _, m := range Modes() {
		if string(m) == s {
			return m, nil
		}
	}
	names := make([]string, len(Modes()))
	for i, m := range Modes() {
		names[i] = fmt.Sprintf("%q", m)
	}
	return "", fmt.Errorf("unknown war room readiness mode %q: expected one of %s", s, strings.Join(names, ", "))
}

// Severity is what a verdict adds to a plan's output.
type Severity int

const (
	// Silent adds nothing.
	Silent Severity = iota
	Warning
	Error
)

// Severity decides what a verdict adds to a plan under the mode: nothing when ready; a warning,
// or under Enforce an error, when not ready; always a warning when the platform gave no verdict,
// which is never a wrong value.
func (m Mode) Severity(o Outcome) Severity {
	switch {
	case o == Ready:
		return Silent
	case o == NotReady && m == Enforce:
		return Error
	}
	return Warning
}
