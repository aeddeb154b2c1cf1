package compat

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// events decodes go test -json lines.
func events(t *testing.T, lines string) []Event {
	t.Helper()
	var es []Event
	for line := range strings.SplitSeq(strings.TrimSpace(lines), "\n") {
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		es = append(es, e)
	}
	return es
}

func collect(t *testing.T, lines string) []Result {
	t.Helper()
	c := NewCollector()
	var returned []Result
	for _, e := range events(t, lines) {
		if r := c.Add(e); r != nil {
			returned = append(returned, *r)
		}
	}
	if !slices.EqualFunc(returned, c.Results(), func(a, b Result) bool { return a.String() == b.String() }) {
		t.Fatalf("Add returned %v, Results %v", returned, c.Results())
	}
	return returned
}

func summary(results []Result) []string {
	var lines []string
	for _, r := range results {
		lines = append(lines, r.String()+" "+r.Reason())
	}
	return lines
}

// What go test -json prints for a package with a plain test, a test whose subtests pass and
// skip, a test skipped with a reason, a failed subtest and a parent that fails on its own.
const mixedRun = `
{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestPlain"}
{"Action":"output","Package":"p","Test":"TestPlain","Output":"=== RUN   TestPlain\n"}
{"Action":"output","Package":"p","Test":"TestPlain","Output":"--- PASS: TestPlain (1.50s)\n"}
{"Action":"pass","Package":"p","Test":"TestPlain","Elapsed":1.5}
{"Action":"run","Package":"p","Test":"TestTable"}
{"Action":"run","Package":"p","Test":"TestTable/a"}
{"Action":"output","Package":"p","Test":"TestTable/a","Output":"=== PAUSE TestTable/a\n"}
{"Action":"run","Package":"p","Test":"TestTable/b"}
{"Action":"output","Package":"p","Test":"TestTable/b","Output":"    x_test.go:12: OpenTofu 1.12.6 has no list resources\n"}
{"Action":"output","Package":"p","Test":"TestTable/b","Output":"    --- SKIP: TestTable/b (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestTable/b","Elapsed":0}
{"Action":"output","Package":"p","Test":"TestTable/a","Output":"=== CONT  TestTable/a\n"}
{"Action":"pass","Package":"p","Test":"TestTable/a","Elapsed":0.25}
{"Action":"pass","Package":"p","Test":"TestTable","Elapsed":0.25}
{"Action":"run","Package":"p","Test":"TestSkipped"}
{"Action":"output","Package":"p","Test":"TestSkipped","Output":"    x_test.go:30: import blocks with identity need Terraform 1.12\n"}
{"Action":"output","Package":"p","Test":"TestSkipped","Output":"        or later\n"}
{"Action":"skip","Package":"p","Test":"TestSkipped","Elapsed":0}
{"Action":"run","Package":"p","Test":"TestBroken"}
{"Action":"run","Package":"p","Test":"TestBroken/sub"}
{"Action":"output","Package":"p","Test":"TestBroken/sub","Output":"    x_test.go:40: boom\n"}
{"Action":"fail","Package":"p","Test":"TestBroken/sub","Elapsed":0.5}
{"Action":"fail","Package":"p","Test":"TestBroken","Elapsed":0.5}
{"Action":"run","Package":"p","Test":"TestCleanup"}
{"Action":"run","Package":"p","Test":"TestCleanup/sub"}
{"Action":"pass","Package":"p","Test":"TestCleanup/sub","Elapsed":0.1}
{"Action":"output","Package":"p","Test":"TestCleanup","Output":"    x_test.go:50: bindings left behind\n"}
{"Action":"fail","Package":"p","Test":"TestCleanup","Elapsed":0.2}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"fail","Package":"p","Elapsed":3}
`

func TestCollectorCountsTestsThatCheckSomething(t *testing.T) {
	got := summary(collect(t, mixedRun))
	want := []string{
		"--- PASS: TestPlain (1.50s) ",
		"--- SKIP: TestTable/b (0.00s) OpenTofu 1.12.6 has no list resources",
		"--- PASS: TestTable/a (0.25s) ",
		"--- SKIP: TestSkipped (0.00s) import blocks with identity need Terraform 1.12 or later",
		"--- FAIL: TestBroken/sub (0.50s) boom",
		"--- PASS: TestCleanup/sub (0.10s) ",
		"--- FAIL: TestCleanup (0.20s) bindings left behind",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A package that fails outside any test (here it does not build) is a failure of its own.
func TestCollectorCountsAPackageThatFailsOutsideItsTests(t *testing.T) {
	got := collect(t, `
{"ImportPath":"p [p.test]","Action":"build-output","Output":"# p [p.test]\n"}
{"ImportPath":"p [p.test]","Action":"build-output","Output":"./x_test.go:3:1: syntax error\n"}
{"ImportPath":"p [p.test]","Action":"build-fail"}
{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Output":"FAIL\tp [build failed]\n"}
{"Action":"fail","Package":"p","Elapsed":0,"FailedBuild":"p [p.test]"}
`)
	if len(got) != 1 || got[0].Test != "p" || got[0].Action != "fail" || !strings.Contains(got[0].Reason(), "syntax error") {
		t.Fatalf("results %v, want the package's failure with the build error", summary(got))
	}
}

func TestSummaryNeverCountsASkipAsAPass(t *testing.T) {
	results := collect(t, mixedRun)
	s := Summarize("OpenTofu 1.12.6", results)
	if len(s.Passed) != 3 || len(s.Skipped) != 2 || len(s.Failed) != 2 || s.OK() {
		t.Fatalf("passed %d, skipped %d, failed %d, ok %v; want 3, 2, 2, false", len(s.Passed), len(s.Skipped), len(s.Failed), s.OK())
	}
	skippedOnly := Summarize("Terraform 1.11.4", slices.DeleteFunc(slices.Clone(results), func(r Result) bool { return r.Action != "skip" }))
	if skippedOnly.OK() {
		t.Fatal("a CLI whose every test skipped passed")
	}

	var out strings.Builder
	if err := WriteSummaries(&out, []Summary{s, skippedOnly}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"OpenTofu 1.12.6   3       2       2        FAILED",
		"Terraform 1.11.4  0       0       2        FAILED",
		"OpenTofu 1.12.6 skipped 2:\n  TestTable/b: OpenTofu 1.12.6 has no list resources\n",
		"OpenTofu 1.12.6 failed 2:\n  TestBroken/sub\n  TestCleanup\n",
		"Terraform 1.11.4: no test passed.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, out.String())
		}
	}
}
