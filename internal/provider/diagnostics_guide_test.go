package provider

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/diagnostics"
)

// diagnosticsGuide lists every diagnostic the provider can emit, one table row each whose first
// cell is the summary in bold; docgen renders it into docs/guides/diagnostics.md.
const diagnosticsGuide = "../../templates/guides/diagnostics.md.tmpl"

// frameworkDiagnostics are the summaries of diagnostics that the framework and its validator
// libraries emit for this provider's schema; the guide explains them too.
var frameworkDiagnostics = []string{
	"Invalid Attribute Value Match",         // stringvalidator.RegexMatches, OneOf
	"Invalid Attribute Value Length",        // stringvalidator.LengthBetween, LengthAtLeast
	"Invalid Attribute Value",               // int64validator.Between, AtLeast
	"Invalid Attribute Value Time Duration", // the timeouts block
	"Invalid Attribute Combination",         // resourcevalidator.ExactlyOneOf, RequiredTogether
	"Missing Attribute Configuration",       // resourcevalidator.ExactlyOneOf
	"WriteOnly Attribute Not Allowed",       // the framework, for Terraform before 1.11
}

// Every diagnostic of the catalog, which holds every diagnostic the provider and its validators
// emit (nothing else may build one: see forbidigo in .golangci.yml), has a row in the diagnostics
// guide, and every row there is a diagnostic that exists.
func TestDiagnosticsGuide_ListsEveryDiagnostic(t *testing.T) {
	guide, err := os.ReadFile(diagnosticsGuide)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, m := range guideRow.FindAllStringSubmatch(string(guide), -1) {
		rows = append(rows, strings.TrimSpace(m[1]))
	}
	emitted := append(diagnostics.Catalog(), frameworkDiagnostics...)
	for _, summary := range emitted {
		if !slices.Contains(rows, summary) {
			t.Errorf("the diagnostic %q is not in %s: add a row \"| **%s** | it means | what to do |\"", summary, diagnosticsGuide, summary)
		}
	}
	for _, row := range rows {
		if !slices.Contains(emitted, row) {
			t.Errorf("%s has a row %q, but the provider emits no such diagnostic: remove or rename it", diagnosticsGuide, row)
		}
	}
}

// guideRow is a row of the guide's tables that documents a diagnostic: its summary, in bold, is
// the first cell.
var guideRow = regexp.MustCompile(`(?m)^\| \*\*(.+?)\*\*`)
