package compat

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Event is one line of `go test -json` (see `go doc test2json`).
type Event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// Result is how one test ended.
type Result struct {
	Test    string // as go test names it (TestX/sub); a package that fails outside its tests has its import path
	Action  string // pass, fail or skip
	Elapsed time.Duration
	Output  []string // what the test printed, without go test's own lines (=== RUN, --- PASS: ...)
}

func (r Result) String() string {
	return fmt.Sprintf("--- %s: %s (%.2fs)", strings.ToUpper(r.Action), r.Test, r.Elapsed.Seconds())
}

// Reason is what the test printed, on one line and without file:line prefixes: for a skipped
// test, why it skipped.
func (r Result) Reason() string {
	var parts []string
	for _, line := range r.Output {
		if line = strings.TrimSpace(sourceLocation.ReplaceAllString(line, "")); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, " ")
}

var (
	// framing is what go test itself prints around a test's own output.
	framing        = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)\s|--- (PASS|FAIL|SKIP): )`)
	sourceLocation = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)
)

// Collector turns go test's events into results, one per test that checks something: a test
// with subtests only gathers them, and counts only when it fails on its own. A package counts
// only when it fails without a failed test (a build error, a panic, a timeout).
type Collector struct {
	output      map[string][]string // by package and test
	buildOutput []string
	parents     map[string]bool // tests that ran subtests
	failed      map[string]bool // tests with a failed subtest, and packages with a failed test
	results     []Result
}

func NewCollector() *Collector {
	return &Collector{output: map[string][]string{}, parents: map[string]bool{}, failed: map[string]bool{}}
}

// Add takes the next event and returns the result it completes, if any.
func (c *Collector) Add(e Event) *Result {
	key := e.Package + " " + e.Test
	switch e.Action {
	case "run":
		c.parents[parentKey(e)] = true
	case "build-output":
		c.buildOutput = append(c.buildOutput, strings.TrimRight(e.Output, "\n"))
	case "output":
		if !framing.MatchString(e.Output) {
			c.output[key] = append(c.output[key], strings.TrimRight(e.Output, "\n"))
		}
	case "pass", "skip", "fail":
		return c.end(e, key)
	}
	return nil
}

func (c *Collector) end(e Event, key string) *Result {
	r := Result{Test: e.Test, Action: e.Action, Elapsed: time.Duration(e.Elapsed * float64(time.Second)), Output: c.output[key]}
	if e.Test == "" {
		// The package's verdict sums up its tests' unless something else went wrong.
		if e.Action != "fail" || c.failed[e.Package] {
			return nil
		}
		r.Test, r.Output = e.Package, slices.Concat(c.buildOutput, r.Output)
	} else if e.Action == "fail" {
		c.failed[parentKey(e)], c.failed[e.Package] = true, true
	}
	if e.Test != "" && c.parents[key] && (e.Action != "fail" || c.failed[key]) {
		return nil
	}
	c.results = append(c.results, r)
	return &r
}

// parentKey is the key of the test that ran e's test as a subtest, or of the package.
func parentKey(e Event) string {
	if i := strings.LastIndex(e.Test, "/"); i >= 0 {
		return e.Package + " " + e.Test[:i]
	}
	return e.Package
}

// Results are the results so far, in the order the tests ended.
func (c *Collector) Results() []Result { return c.results }

// Summary is how the tests went on one CLI.
type Summary struct {
	CLI                     string
	Passed, Failed, Skipped []Result
}

func Summarize(cli string, results []Result) Summary {
	s := Summary{CLI: cli}
	for _, r := range results {
		switch r.Action {
		case "pass":
			s.Passed = append(s.Passed, r)
		case "skip":
			s.Skipped = append(s.Skipped, r)
		default:
			s.Failed = append(s.Failed, r)
		}
	}
	return s
}

// OK says whether the CLI passed: some test passed and none failed. Skips are not passes.
func (s Summary) OK() bool { return len(s.Failed) == 0 && len(s.Passed) > 0 }

// WriteSummaries prints one row per CLI, then the tests each CLI skipped, with the reason, and
// the tests it failed (their output is in the run's log).
func WriteSummaries(w io.Writer, summaries []Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLI\tpassed\tfailed\tskipped\tresult")
	for _, s := range summaries {
		verdict := "ok"
		if !s.OK() {
			verdict = "FAILED"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", s.CLI, len(s.Passed), len(s.Failed), len(s.Skipped), verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range summaries {
		if len(s.Passed) == 0 {
			fmt.Fprintf(w, "\n%s: no test passed.\n", s.CLI)
		}
		if len(s.Skipped) > 0 {
			fmt.Fprintf(w, "\n%s skipped %d:\n", s.CLI, len(s.Skipped))
			for _, r := range s.Skipped {
				fmt.Fprintf(w, "  %s: %s\n", r.Test, r.Reason())
			}
		}
		if len(s.Failed) > 0 {
			fmt.Fprintf(w, "\n%s failed %d:\n", s.CLI, len(s.Failed))
			for _, r := range s.Failed {
				fmt.Fprintf(w, "  %s\n", r.Test)
			}
		}
	}
	return nil
}
