package hwhttp

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// A secret is registered once, in every spelling, and every reader of the registry (a log mask,
// a scrubber) gets all of them; values too short to hide anything are not registered.
func TestSecretsRegistry(t *testing.T) {
	var nothing *Secrets
	nothing.Add("SK-into-nothing")
	if nothing.Scrubber() != nil || nothing.Scrub("SK-into-nothing") != "SK-into-nothing" {
		t.Fatal("a nil registry holds something")
	}

	s := new(Secrets)
	secret := `SK<&>"\ +/-0123`
	s.Add(secret, "", "abc", secret)
	before := s.Scrubber()
	for _, form := range Spellings(secret) {
		if !slices.Contains(before, form) {
			t.Errorf("the registry lacks the spelling %q", form)
		}
	}
	if len(before) != len(slices.Compact(slices.Sorted(slices.Values(before)))) || slices.Contains(before, "abc") {
		t.Errorf("the registry holds duplicates or a short value: %q", before)
	}
	for _, text := range []string{secret, `"SK\u003c\u0026\u003e\"\\ +/-0123"`, "token=SK%3C%26%3E%22%5C+%2B%2F-0123"} {
		if got := s.Scrub(text); strings.Contains(got, "0123") {
			t.Errorf("Scrub(%q) = %q", text, got)
		}
	}

	// A snapshot handed out stays as it was, whatever is added after, and what a reader appends
	// to it (a scrubber of one request) is neither in the registry nor overwritten by it.
	mine := append(before, "appended-by-a-reader")
	s.Add("TOKEN-added-later")
	if slices.Contains(before, "TOKEN-added-later") || mine[len(mine)-1] != "appended-by-a-reader" ||
		slices.Contains(s.Scrubber(), "appended-by-a-reader") {
		t.Fatal("a snapshot and the registry share their values")
	}
	if !slices.Contains(s.Scrubber(), "TOKEN-added-later") {
		t.Fatal("a secret added later is not known")
	}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { s.Add(strings.Repeat("x", 4+i)); _ = s.Scrub("text") })
	}
	wg.Wait()
}
