package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository, from this package's directory where go test runs.
const repoRoot = "../.."

var (
	fence        = regexp.MustCompile("(?ms)^```.*?^```")
	codeSpan     = regexp.MustCompile("`[^`\n]*`")
	markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingLine  = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	htmlAnchor   = regexp.MustCompile(`<a id="([^"]+)">`)
	notInSlug    = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
)

// Every relative link in the repository's Markdown (README.md, CONTRIBUTING.md, the package
// READMEs, docs/) leads to a file that exists, and every #anchor to a heading in it: moving a
// section or a file breaks the test, not the reader.
func TestMarkdownLinksResolve(t *testing.T) {
	files := markdownFiles(t)
	if !slices.Contains(files, "README.md") || !slices.Contains(files, "CONTRIBUTING.md") {
		t.Fatalf("README.md or CONTRIBUTING.md is missing from %v", files)
	}
	anchorsOf := map[string][]string{}
	for _, file := range files {
		anchorsOf[file] = anchors(readRepoFile(t, file))
	}
	for _, file := range files {
		text := codeSpan.ReplaceAllString(fence.ReplaceAllString(readRepoFile(t, file), ""), "")
		for _, m := range markdownLink.FindAllStringSubmatch(text, -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			target, anchor, _ := strings.Cut(link, "#")
			resolved := file
			if target != "" {
				resolved = filepath.ToSlash(filepath.Join(filepath.Dir(file), target))
				if _, err := os.Stat(filepath.Join(repoRoot, resolved)); err != nil {
					t.Errorf("%s links %s: %s does not exist", file, link, resolved)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			known, ok := anchorsOf[resolved]
			if !ok {
				t.Errorf("%s links %s: anchors are checked in Markdown files only", file, link)
			} else if !slices.Contains(known, anchor) {
				t.Errorf("%s links %s: %s has no heading with the anchor #%s", file, link, resolved, anchor)
			}
		}
	}
}

// markdownFiles lists the repository's Markdown files, relative to its root, outside .git.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(repoRoot, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// anchors lists the anchors GitHub and the Registry give a Markdown file's headings, and its
// explicit <a id> anchors.
func anchors(text string) []string {
	var out []string
	for _, m := range headingLine.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
		heading := strings.ToLower(strings.TrimSpace(m[1]))
		out = append(out, strings.ReplaceAll(notInSlug.ReplaceAllString(heading, ""), " ", "-"))
	}
	for _, m := range htmlAnchor.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAnchorsAreGitHubs(t *testing.T) {
	got := anchors("# Running against a real COC\n## Replacement and `create_before_destroy`\n```sh\n# not a heading\n```\n<a id=\"nestedblock--timeouts\"></a>\n### `PUT /_sim/bindings/{app_type}`\n")
	want := []string{"running-against-a-real-coc", "replacement-and-create_before_destroy", "put-_simbindingsapp_type", "nestedblock--timeouts"}
	if !slices.Equal(got, want) {
		t.Errorf("anchors = %q, want %q", got, want)
	}
}
