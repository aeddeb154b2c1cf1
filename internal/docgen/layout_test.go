package main

import (
	"bufio"
	"cmp"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cocops/terraform-provider-coc/"

// layoutRow is one row of CONTRIBUTING.md's layout table: a package (internal/coc, which also
// covers the packages under it that have no row of their own, such as its commands) and the
// short names of the packages it depends on.
type layoutRow struct {
	pkg       string
	dependsOn []string
}

var layoutRowLine = regexp.MustCompile("^\\| `(internal/[a-z0-9/_-]+)` \\| [^|]+ \\| ([^|]*) \\|$")

// CONTRIBUTING.md's layout table is true: every internal package has a row, its "depends on"
// cell names exactly the project packages its non-test files import (a package of tests only:
// its tests'), and a row depends only on rows above it, so that the table reads from the ground
// floor up.
func TestLayoutTableMatchesTheImports(t *testing.T) {
	rows := layoutTable(t)
	imports := projectImports(t)
	rowOf := func(pkg string) string {
		best := ""
		for _, r := range rows {
			if (pkg == r.pkg || strings.HasPrefix(pkg, r.pkg+"/")) && len(r.pkg) > len(best) {
				best = r.pkg
			}
		}
		return best
	}
	actual := map[string][]string{} // by row, the short names of the rows it depends on
	for pkg, deps := range imports {
		row := rowOf(pkg)
		if row == "" {
			t.Errorf("CONTRIBUTING.md's layout table has no row for %s", pkg)
			continue
		}
		actual[row] = append(actual[row], nil...) // the row's package exists, with or without imports
		for _, dep := range deps {
			if depRow := rowOf(dep); depRow != row {
				actual[row] = append(actual[row], strings.TrimPrefix(cmp.Or(depRow, dep), "internal/"))
			}
		}
	}
	var above []string
	for _, r := range rows {
		deps, ok := actual[r.pkg]
		if !ok {
			t.Errorf("CONTRIBUTING.md's layout table lists %s, which is not a package", r.pkg)
			continue
		}
		deps = slices.Compact(slices.Sorted(slices.Values(deps)))
		if listed := slices.Sorted(slices.Values(r.dependsOn)); !slices.Equal(listed, deps) {
			t.Errorf("CONTRIBUTING.md says %s depends on %s; it imports %s", r.pkg, describe(listed), describe(deps))
		}
		for _, d := range deps {
			if !slices.Contains(above, d) {
				t.Errorf("%s depends on %s, which the layout table lists below it (or not at all): list the ground floor first", r.pkg, d)
			}
		}
		above = append(above, strings.TrimPrefix(r.pkg, "internal/"))
	}
}

// layoutTable reads the rows of the table under "## Layout" in CONTRIBUTING.md.
func layoutTable(t *testing.T) []layoutRow {
	t.Helper()
	_, section, ok := strings.Cut(readRepoFile(t, "CONTRIBUTING.md"), "\n## Layout\n")
	if !ok {
		t.Fatal(`CONTRIBUTING.md has no "## Layout" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []layoutRow
	for line := range strings.SplitSeq(section, "\n") {
		if !strings.HasPrefix(line, "| `internal/") {
			continue
		}
		m := layoutRowLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("CONTRIBUTING.md's layout row %q is not | `internal/<package>` | what it is | depends on |", line)
			continue
		}
		row := layoutRow{pkg: m[1]}
		if cell := strings.TrimSpace(m[2]); cell != "nothing of the project" {
			for name := range strings.SplitSeq(cell, ",") {
				row.dependsOn = append(row.dependsOn, strings.TrimSpace(name))
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatal("CONTRIBUTING.md's layout table has no rows")
	}
	return rows
}

// projectImports maps each package under internal/ (as internal/coc) to the project packages
// its non-test files import; for a package of tests only, those its tests import. go list reads
// them as the build does.
func projectImports(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{if .GoFiles}}{{join .Imports \" \"}}{{else}}{{join .TestImports \" \"}} {{join .XTestImports \" \"}}{{end}}", "./internal/...")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	lines := bufio.NewScanner(strings.NewReader(string(out)))
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		pkg := strings.TrimPrefix(fields[0], module)
		imports[pkg] = nil
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, module); ok && dep != pkg {
				imports[pkg] = append(imports[pkg], dep)
			}
		}
	}
	return imports
}

func describe(deps []string) string {
	if len(deps) == 0 {
		return "nothing of the project"
	}
	return strings.Join(deps, ", ")
}
