package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// run is a test or subtest that ended, passed or failed.
type run struct {
	pkg, test string
	passed    bool
}

// area is a part of the suite that must pass a subtest for every platform.
type area struct {
	name string
	// tests matches the package's import path and the test's name, as "path TestName/sub".
	tests *regexp.Regexp
}

var areas = []area{
	{"the resources", regexp.MustCompile(`/internal/provider TestAccAppResource_`)},
	{"the list resources", regexp.MustCompile(`/internal/provider Test(Acc)?AppListResource_`)},
	{"the examples", regexp.MustCompile(`/internal/provider TestExamples_`)},
	{"the credential check", regexp.MustCompile(`/internal/appcheck TestRequestShapes/`)},
}

// check lists how the runs leave a platform out: a test whose subtests name every platform but
// one (a list typed by hand), and an area without a passed subtest naming a platform.
func check(runs []run, all []platforms.Platform) []string {
	var problems []string
	subtests := map[string][]string{} // by "path TestName" of the parent
	for _, r := range runs {
		if i := strings.LastIndex(r.test, "/"); i >= 0 {
			parent := r.pkg + " " + r.test[:i]
			subtests[parent] = append(subtests[parent], r.test[i+1:])
		}
	}
	for _, parent := range slices.Sorted(maps.Keys(subtests)) {
		var missing []string
		for _, p := range all {
			if !slices.ContainsFunc(subtests[parent], func(name string) bool { return names(name, p) }) {
				missing = append(missing, p.Name)
			}
		}
		if len(all) > 2 && len(missing) == 1 {
			problems = append(problems, fmt.Sprintf("%s runs a subtest for every platform but %s: take its cases from the descriptions (platformCases, platforms.All)",
				parent, missing[0]))
		}
	}
	for _, a := range areas {
		for _, p := range all {
			if !slices.ContainsFunc(runs, func(r run) bool { return r.passed && a.tests.MatchString(r.pkg+" "+r.test) && names(r.test, p) }) {
				problems = append(problems, fmt.Sprintf("%s: no passed subtest names %s (%s)", a.name, p.Name, p.AppType))
			}
		}
	}
	return problems
}

// names reports whether a test's name names the platform: its app type as a word (lark,
// coc_lark_app) or its name.
func names(test string, p platforms.Platform) bool {
	word := regexp.MustCompile(`(?i)(^|[^a-z0-9])` + regexp.QuoteMeta(string(p.AppType)) + `([^a-z0-9]|$)`)
	return word.MatchString(test) || strings.Contains(test, p.Name)
}
