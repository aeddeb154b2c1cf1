package hwhttp

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The fuzz targets run their seeds (the f.Add calls) in every `go test`; `make fuzz` explores
// beyond them.

// Escape percent-encodes everything but the unreserved characters, and decoding gives the
// input back.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "100%", "ä/ö?&=#", "\x00\xff", "~-._"} {
		f.Add(s)
	}
	wellFormed := regexp.MustCompile(`^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$`)
	f.Fuzz(func(t *testing.T, s string) {
		escaped := Escape(s)
		if !wellFormed.MatchString(escaped) {
			t.Fatalf("Escape(%q) = %q holds a character that should be encoded", s, escaped)
		}
		if back, err := url.PathUnescape(escaped); err != nil || back != s {
			t.Fatalf("Escape(%q) = %q decodes to %q (%v)", s, escaped, back, err)
		}
	})
}

// The canonical URI of any path is well formed and ends in "/"; the canonical query names each
// pair the query holds, in order, and parsing it gives the same query back.
func FuzzCanonicalURIAndQuery(f *testing.F) {
	f.Add("/v1/mobile-apps/wecom", "app_type=wecom&limit=100&offset=0")
	f.Add("/a b/%2F/ä", "b=2&a=1&a=0&c=%20+x")
	f.Add("", "=&&=x&y")
	f.Add("/v1//x/", "k=v;w")
	uri := regexp.MustCompile(`^(?:[A-Za-z0-9\-_.~/]|%[0-9A-F]{2})*/$`)
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		u := &url.URL{Path: path, RawQuery: rawQuery}
		if got := CanonicalURI(u); !uri.MatchString(got) {
			t.Fatalf("CanonicalURI(%q) = %q", path, got)
		}
		q := u.Query()
		canonical := CanonicalQuery(q)
		parsed, err := url.ParseQuery(canonical)
		if err != nil {
			t.Fatalf("CanonicalQuery of %q = %q, which does not parse: %v", rawQuery, canonical, err)
		}
		if again := CanonicalQuery(parsed); again != canonical {
			t.Fatalf("CanonicalQuery is not stable for %q: %q, then %q", rawQuery, canonical, again)
		}
		if len(q) != len(parsed) {
			t.Fatalf("the canonical query %q of %q has %d keys, want %d", canonical, rawQuery, len(parsed), len(q))
		}
		for k, values := range q {
			if !slices.Equal(slices.Sorted(slices.Values(values)), parsed[k]) {
				t.Fatalf("key %q: %q, canonical %q", k, values, parsed[k])
			}
		}
		request := CanonicalRequest(http.MethodGet, u, http.Header{}, nil, nil)
		if !strings.HasPrefix(request, "GET\n"+CanonicalURI(u)+"\n"+canonical+"\n") {
			t.Fatalf("the canonical request does not start with method, URI and query:\n%s", request)
		}
	})
}
