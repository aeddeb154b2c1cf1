package provider

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
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

// Every error and warning summary in the provider's code has a row in the diagnostics guide, and
// every row there is a diagnostic that exists.
func TestDiagnosticsGuide_ListsEveryDiagnostic(t *testing.T) {
	guide, err := os.ReadFile(diagnosticsGuide)
	if err != nil {
		t.Fatal(err)
	}
	var headings []string
	for _, m := range guideRow.FindAllStringSubmatch(string(guide), -1) {
		headings = append(headings, strings.TrimSpace(m[1]))
	}

	summaries := diagnosticSummaries(t, ".", "../validators")
	if len(summaries) < 10 {
		t.Fatalf("found only %d diagnostic summaries in the code; is the extraction broken?", len(summaries))
	}
	documented := map[string]bool{}
	for _, s := range summaries {
		pattern := s.pattern()
		i := slices.IndexFunc(headings, pattern.MatchString)
		if i < 0 {
			t.Errorf("%s: the diagnostic %q is not in %s: add a row \"| **%s** | it means | what to do |\"",
				s.pos, s.format, diagnosticsGuide, s.heading())
			continue
		}
		documented[headings[i]] = true
	}
	for _, h := range headings {
		if !documented[h] && !slices.Contains(frameworkDiagnostics, h) {
			t.Errorf("%s has a row %q, but the provider emits no such diagnostic: remove or rename it", diagnosticsGuide, h)
		}
	}
}

// guideRow is a row of the guide's tables that documents a diagnostic: its summary, in bold, is
// the first cell.
var guideRow = regexp.MustCompile(`(?m)^\| \*\*(.+?)\*\*`)

// diagnosticSummary is the summary argument of one diagnostic call: a literal, or a
// fmt.Sprintf format whose verbs stand for placeholders such as {Platform}.
type diagnosticSummary struct {
	pos    string
	format string
}

var formatVerbs = regexp.MustCompile(`(%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z])+`)

// pattern matches a guide heading for the summary: literal text as is, each run of verbs as
// one {Placeholder}.
func (s diagnosticSummary) pattern() *regexp.Regexp {
	parts := formatVerbs.Split(s.format, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, `\{[A-Za-z ]+\}`) + "$")
}

func (s diagnosticSummary) heading() string {
	return formatVerbs.ReplaceAllString(s.format, "{Placeholder}")
}

// diagnosticSummaries reads the non-test Go files of the given packages and returns the summary
// of every AddError, AddAttributeError, AddWarning and AddAttributeWarning call (and of the
// diag.New*Diagnostic constructors). A summary must be a string literal, a fmt.Sprintf with a
// literal format, or a local variable set to one of those.
func diagnosticSummaries(t *testing.T, dirs ...string) []diagnosticSummary {
	t.Helper()
	summaryArg := map[string]int{
		"AddError": 0, "AddWarning": 0, "NewErrorDiagnostic": 0, "NewWarningDiagnostic": 0,
		"AddAttributeError": 1, "AddAttributeWarning": 1, "NewAttributeErrorDiagnostic": 1, "NewAttributeWarningDiagnostic": 1,
	}
	fset := token.NewFileSet()
	var out []diagnosticSummary
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				locals := localAssignments(fn.Body)
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					i, ok := summaryArg[sel.Sel.Name]
					if !ok || len(call.Args) <= i {
						return true
					}
					pos := fset.Position(call.Pos()).String()
					format, err := summaryFormat(call.Args[i], locals)
					if err != nil {
						t.Errorf("%s: %v", pos, err)
						return true
					}
					out = append(out, diagnosticSummary{pos: pos, format: format})
					return true
				})
			}
		}
	}
	return out
}

func localAssignments(body *ast.BlockStmt) map[string]ast.Expr {
	locals := map[string]ast.Expr{}
	ast.Inspect(body, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
			for i, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					locals[id.Name] = a.Rhs[i]
				}
			}
		}
		return true
	})
	return locals
}

func summaryFormat(e ast.Expr, locals map[string]ast.Expr) (string, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			return strconv.Unquote(e.Value)
		}
	case *ast.Ident:
		if v, ok := locals[e.Name]; ok {
			return summaryFormat(v, locals)
		}
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
			if lit, ok := e.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				return strconv.Unquote(lit.Value)
			}
		}
	}
	return "", fmt.Errorf("cannot read this diagnostic's summary: use a string literal or fmt.Sprintf with a literal format, " +
		"so that the diagnostics guide test can check it is documented")
}
