package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The provider page is where Registry readers find the guides: each one in templates/guides must
// be linked from it, or it can only be found by browsing the repository.
func TestDocsIndexLinksEveryGuide(t *testing.T) {
	index, err := os.ReadFile("../../templates/index.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	guides, err := filepath.Glob("../../templates/guides/*.md.tmpl")
	if err != nil || len(guides) == 0 {
		t.Fatalf("no guides found: %v", err)
	}
	for _, guide := range guides {
		link := "(guides/" + strings.TrimSuffix(filepath.Base(guide), ".tmpl") + ")"
		if !strings.Contains(string(index), link) {
			t.Errorf("templates/index.md.tmpl does not link %s: add it to the list of guides", link)
		}
	}
}
