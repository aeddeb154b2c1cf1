package hwhttp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Redacted is what a scrubbed value reads as.
const Redacted = "***"

// minSecretLength is the length below which a value is neither registered nor scrubbed: it would
// turn ordinary words into *** and protect nothing.
const minSecretLength = 4

// Secrets is the one registry of what must never be logged or repeated: every secret a client
// of this project handles (secret keys, security tokens, identity and subject tokens, the app
// secrets sent to COC or checked with a platform), registered once, in every spelling it may
// take (Spellings), whoever obtained it and however late. Everything that hides secrets reads
// it: the provider's log masks, and the scrubbers of every client's errors and log lines. A nil
// *Secrets holds nothing. It is safe for concurrent use.
type Secrets struct {
	mu     sync.RWMutex
	values []string
	// known holds the spellings of every value; it is replaced, never changed in place, so that
	// a Scrubber handed out stays as it was.
	known Scrubber
}

// Add registers values; empty and short ones, and those registered before, are ignored.
func (s *Secrets) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) < minSecretLength || slices.Contains(s.values, v) {
			continue
		}
		s.values = append(s.values, v)
		known := slices.Clip(s.known)
		for _, form := range Spellings(v) {
			if !slices.Contains(known, form) {
				known = append(known, form)
			}
		}
		s.known = known
	}
}

// Scrubber returns every spelling of every value registered so far: what a log mask hides, and
// what a scrubber replaces. Appending to it never changes the registry.
func (s *Secrets) Scrubber() Scrubber {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clip(s.known)
}

// Scrub replaces every registered secret in text, in each of its spellings, with ***.
func (s *Secrets) Scrub(text string) string { return s.Scrubber().Scrub(text) }

// Scrubber replaces known secret values, in every spelling an error may carry them, with a
// placeholder.
type Scrubber []string

// NewScrubber scrubs the given values, in each of their Spellings; values shorter than 4
// characters are left alone. It is for what one request carries and only its answer may repeat
// (its signature); a secret is registered in a Secrets.
func NewScrubber(values ...string) Scrubber {
	var s Scrubber
	for _, v := range values {
		if len(v) < minSecretLength {
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

// Spellings returns the ways a value may be written in an error, a log or a request: as it is,
// Go-quoted (as %q renders it) and JSON-escaped (with and without HTML escaping, as servers
// differ), each without the surrounding quotes, and URL-encoded (as WeCom's token call carries an
// app secret in its query). Duplicates are possible.
func Spellings(v string) []string {
	forms := []string{v, strings.Trim(strconv.Quote(v), `"`)}
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(v)
		forms = append(forms, strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	return append(forms, url.QueryEscape(v))
}

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
