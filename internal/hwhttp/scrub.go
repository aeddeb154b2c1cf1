package hwhttp

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Scrubber replaces known secret values, in every spelling an error may carry them, with a
// placeholder.
type Scrubber []string

// Redacted is what a scrubbed value reads as.
const Redacted = "***"

// NewScrubber scrubs the given values; values shorter than 4 characters are left alone.
func NewScrubber(values ...string) Scrubber {
	var s Scrubber
	for _, v := range values {
		// Very short values would turn ordinary words into "***" and protect nothing.
		if len(v) < 4 {
			continue
		}
		for _, form := range Spellings(v) {
			if !slices.Contains(s, form) {
				s = append(s, form)
			}
		}
	}
	return s
}

// Spellings returns the ways a value may be written in an error or a log: as it is, JSON-escaped
// (with and without HTML escaping, as servers differ) and Go-quoted (as %q renders it), each
// without the surrounding quotes. Duplicates are possible.
func Spellings(v string) []string {
	forms := []string{v, strings.Trim(strconv.Quote(v), `"`)}
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(v)
		forms = append(forms, strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	return forms
}

// Scrub replaces every secret in text, in each of its Spellings, with ***. Values shorter than 4
// characters are left alone: they would turn ordinary words into *** and protect nothing.
func Scrub(text string, secrets ...string) string { return NewScrubber(secrets...).Scrub(text) }

// Scrub replaces every value of s in text with ***.
func (s Scrubber) Scrub(text string) string {
	for _, v := range s {
		text = strings.ReplaceAll(text, v, Redacted)
	}
	return text
}

// RequestSignature returns the Signature of a signed request's Authorization header, or "".
// Errors must not repeat it: anyone could replay the request while its date is fresh.
func RequestSignature(req *http.Request) string {
	if req == nil {
		return ""
	}
	_, signature, _ := strings.Cut(req.Header.Get(HeaderAuthorization), "Signature=")
	return signature
}

// RequestCredentials is what a signed request carries that its answer must not repeat: the
// signature, which could be replayed while its date is fresh, and the security token.
func RequestCredentials(req *http.Request) Scrubber {
	if req == nil {
		return nil
	}
	return NewScrubber(RequestSignature(req), req.Header.Get(HeaderSecurityToken))
}
