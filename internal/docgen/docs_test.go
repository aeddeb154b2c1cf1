package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The resource template is the same for every platform: it names no platform and no resource
// type, so that a new platform needs no template edit; whatever differs comes from the
// platform's description.
func TestResourceTemplateNamesNoPlatform(t *testing.T) {
	text := readRepoFile(t, filepath.Join("templates", resourceTemplate))
	for _, r := range resources() {
		for _, name := range []string{r.Type, r.Name, string(r.AppType) + "_app", r.Identifier.Name} {
			if strings.Contains(text, name) {
				t.Errorf("templates/%s names %q: take it from the platform's description instead", resourceTemplate, name)
			}
		}
	}
}

// Each resource page, as generated in docs/, speaks of its own attributes: no placeholder such as
// <secret>, and every write-only attribute its prose names is one its schema has.
func TestResourcePagesNameTheirOwnAttributes(t *testing.T) {
	attributeName := regexp.MustCompile("`([a-z0-9_]+_wo(?:_version)?)\\b")
	schemaEntry := regexp.MustCompile("(?m)^- `([a-z0-9_]+)` \\(")
	for _, r := range resources() {
		page := filepath.Join("docs", "resources", string(r.AppType)+"_app.md")
		text := readRepoFile(t, page)
		if strings.Contains(text, "<secret>") {
			t.Errorf("%s still says <secret>", page)
		}
		prose, schema, found := strings.Cut(text, "## Schema")
		if !found {
			t.Fatalf("%s has no schema section", page)
		}
		schema, rest, _ := strings.Cut(schema, "\n## ")
		prose += rest
		has := map[string]bool{}
		for _, m := range schemaEntry.FindAllStringSubmatch(schema, -1) {
			has[m[1]] = true
		}
		for _, s := range r.Secrets {
			if !has[s.Name+"_wo"] || !has[s.Name+"_wo_version"] {
				t.Errorf("%s: the schema has no %s_wo or %s_wo_version; does the template name them as the provider does?", page, s.Name, s.Name)
			}
		}
		for _, m := range attributeName.FindAllStringSubmatch(prose, -1) {
			if !has[m[1]] {
				t.Errorf("%s names %s, which its schema does not have", page, m[1])
			}
		}
	}
}

// No page a user reads uses the placeholder <secret>: each names a real argument.
func TestDocsUseNoSecretPlaceholder(t *testing.T) {
	docs := os.DirFS(filepath.Join(repoRoot, "docs"))
	err := fs.WalkDir(docs, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(docs, path)
		if err == nil && strings.Contains(string(data), "<secret>") {
			t.Errorf("docs/%s says <secret>: name the argument", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
