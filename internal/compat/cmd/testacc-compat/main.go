// Command testacc-compat runs the acceptance and CLI tests once per CLI, Terraform or OpenTofu,
// names the CLI in every result, and ends with a table of each CLI's passes, failures and skips
// (with the reason each test gave). It fails when any test fails, or when a CLI passes none.
//
//	go run ./internal/compat/cmd/testacc-compat [flags] CLI...    (make testacc-compat COMPAT_CLIS="...")
//
// Each CLI is a name on PATH or a path. The tests choose what to check from the CLI's kind and
// version (internal/compat); the environment is passed on, with TF_ACC=1 and
// TF_ACC_TERRAFORM_PATH set to each CLI in turn.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

func main() {
	run := flag.String("run", "^(TestAcc|TestCLI|TestExamples)", "the tests to run (go test -run)")
	pkgs := flag.String("pkg", "./internal/provider ./internal/release", "the packages to test, separated by spaces")
	parallel := flag.String("parallel", "4", "go test -parallel")
	timeout := flag.String("timeout", "30m", "go test -timeout, per CLI")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: testacc-compat [flags] CLI...   (a name on PATH or a path to terraform or tofu)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	goTest := append(append([]string{"test"}, strings.Fields(*pkgs)...), "-json", "-count=1", "-run", *run, "-parallel", *parallel, "-timeout", *timeout)
	var summaries []compat.Summary
	for _, name := range flag.Args() {
		summaries = append(summaries, testWith(ctx, name, goTest))
	}
	fmt.Println()
	if err := compat.WriteSummaries(os.Stdout, summaries); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, s := range summaries {
		if !s.OK() {
			os.Exit(1)
		}
	}
}

// testWith runs go test with one CLI and prints each result as it comes, named after the CLI.
func testWith(ctx context.Context, name string, goTest []string) compat.Summary {
	cli, err := findCLI(ctx, name)
	if err != nil {
		fmt.Printf("=== %s: %v\n", name, err)
		return compat.Summarize(name, []compat.Result{{Test: "finding the CLI", Action: "fail", Output: []string{err.Error()}}})
	}
	fmt.Printf("=== %s (%s)\n", cli, cli.Path)
	results, err := goTestJSON(ctx, cli, goTest)
	if err != nil {
		results = append(results, compat.Result{Test: "go " + strings.Join(goTest, " "), Action: "fail", Output: []string{err.Error()}})
	}
	return compat.Summarize(cli.String(), results)
}

func findCLI(ctx context.Context, name string) (compat.CLI, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return compat.CLI{}, err
	}
	return compat.Detect(ctx, path, nil)
}

func goTestJSON(ctx context.Context, cli compat.CLI, args []string) ([]compat.Result, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "TF_ACC=1", compat.EnvTerraformPath+"="+cli.Path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	collector := compat.NewCollector()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 16<<20)
	for lines.Scan() {
		var e compat.Event
		if json.Unmarshal(lines.Bytes(), &e) != nil {
			fmt.Println(lines.Text()) // not an event: go's own messages
			continue
		}
		if r := collector.Add(e); r != nil {
			report(cli, *r)
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = errors.Join(lines.Err(), cmd.Wait())
	results := collector.Results()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) && slices.ContainsFunc(results, failed) {
		err = nil // go test exits 1 when a test fails, and that failure is among the results
	}
	return results, err
}

func failed(r compat.Result) bool { return r.Action == "fail" }

// report prints a result named after the CLI, and a failure's output.
func report(cli compat.CLI, r compat.Result) {
	fmt.Printf("[%s] %s\n", cli, r)
	if failed(r) {
		for _, line := range r.Output {
			fmt.Printf("[%s]     %s\n", cli, line)
		}
	}
}
