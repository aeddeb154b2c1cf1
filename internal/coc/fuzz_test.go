package coc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// The fuzz targets run their seeds (testdata/fuzz and the f.Add calls) in every `go test`;
// `make fuzz` explores beyond them.

// Escape percent-encodes everything but the unreserved characters, and decoding gives the
// input back.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "100%", "ä/ö?&=#", "\x00\xff", "~-._"} {
		f.Add(s)
	}
	wellFormed := regexp.MustCompile(`^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$`)
	f.Fuzz(func(t *testing.T, s string) {
		escaped := coc.Escape(s)
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
		if got := coc.CanonicalURI(u); !uri.MatchString(got) {
			t.Fatalf("CanonicalURI(%q) = %q", path, got)
		}
		q := u.Query()
		canonical := coc.CanonicalQuery(q)
		parsed, err := url.ParseQuery(canonical)
		if err != nil {
			t.Fatalf("CanonicalQuery of %q = %q, which does not parse: %v", rawQuery, canonical, err)
		}
		if again := coc.CanonicalQuery(parsed); again != canonical {
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
		request := coc.CanonicalRequest(http.MethodGet, u, http.Header{}, nil, nil)
		if !strings.HasPrefix(request, "GET\n"+coc.CanonicalURI(u)+"\n"+canonical+"\n") {
			t.Fatalf("the canonical request does not start with method, URI and query:\n%s", request)
		}
	})
}

// A binding that decodes encodes and decodes to itself.
func FuzzBindingUnmarshalJSON(f *testing.F) {
	f.Add([]byte(`{"app_type":"lark","app_id":"cli_1","service_id":"1","status":"enabled","created_at":"2026-01-02T03:04:05.000Z","updated_at":"2026-01-02T03:04:05.000Z","key_updated_at":"2026-01-02T03:04:05.000Z"}`))
	f.Add([]byte(`{"app_type":"dingtalk","client_id":null,"robot_id":7}`))
	f.Add([]byte(`{"app_type":"wecom","enterprise_id":"ww","extra":{"x":[1,2]}}`))
	f.Add([]byte(`{"app_type":"teams"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b coc.Binding
		if err := json.Unmarshal(data, &b); err != nil {
			return
		}
		encoded, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("a decoded binding does not encode: %v (%+v)", err, b)
		}
		var again coc.Binding
		if err := json.Unmarshal(encoded, &again); err != nil {
			t.Fatalf("%s does not decode: %v", encoded, err)
		}
		reencoded, _ := json.Marshal(again)
		if string(reencoded) != string(encoded) {
			t.Fatalf("the binding changes on a round trip:\n%s\n%s", encoded, reencoded)
		}
	})
}

// reasons are every reason DecodeBindingRequest gives: none repeats a value the body held.
var reasons = regexp.MustCompile(`^(?:is not a field of a (?:wecom|dingtalk|lark) app|must be a string, got (?:nothing|a string|an object|an array|a boolean|null|a number)|` +
	`must not be empty|must be at most 256 characters|must not contain whitespace or control characters|is required|must be a JSON object)$`)

// DecodeBindingRequest never panics, never quotes a value in its problems, and what it accepts
// encodes to a body it accepts again, unchanged.
func FuzzDecodeBindingRequest(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte(`{"enterprise_id":"ww0123456789abcdef","enterprise_key":"k","address_book_key":"k2","service_id":"1"}`))
	f.Add(uint8(1), uint8(1), []byte(`{"client_id":"ding","client_secret":"has space","robot_id":1,"extra":"x"}`))
	f.Add(uint8(2), uint8(0), []byte(`{"app_id":"","app_secret":"\u0000","service_id":null}`))
	f.Add(uint8(2), uint8(1), []byte(`null`))
	f.Fuzz(func(t *testing.T, platform, method uint8, body []byte) {
		p := coc.Platforms()[int(platform)%len(coc.Platforms())]
		m := coc.Method(int(method) % 2)
		req, problems := coc.DecodeBindingRequest(p, m, body)
		for _, problem := range problems {
			if !reasons.MatchString(problem.Reason) {
				t.Fatalf("unexpected reason %q for %q", problem.Reason, problem.Field)
			}
		}
		if !slices.IsSortedFunc(problems, func(a, b coc.FieldError) int { return strings.Compare(a.Field, b.Field) }) {
			t.Fatalf("problems are not sorted: %+v", problems)
		}
		if problems != nil {
			return
		}
		encoded, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		again, problems := coc.DecodeBindingRequest(p, m, encoded)
		if problems != nil || !equalRequests(req, again) {
			t.Fatalf("%s re-decodes to %+v (%+v), want %+v", encoded, again, problems, req)
		}
	})
}

func equalRequests(a, b coc.BindingRequest) bool {
	return mapsEqual(a.Fields, b.Fields) && mapsEqual(a.Secrets, b.Secrets)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// fuzzSecrets are what a create carries and what signs it. The fuzzer writes SECRET, TOKEN,
// SIGNKEY and SIGNATURE into a response wherever it likes; they are replaced by these values
// (and the request's signature), as a server or proxy that echoes the request would.
var fuzzSecrets = map[string]string{
	"SECRET":  `app-s3cr<et>"&\1`,
	"TOKEN":   "TOKEN-fuzz-0123456789",
	"SIGNKEY": "SK-fuzz-0123456789",
}

// fuzzTransport answers every request with the fuzzed response, without a network.
type fuzzTransport struct {
	status      int
	contentType string
	requestID   string
	retryAfter  string
	body        string
}

func (ft fuzzTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{}
	h.Set("Content-Type", ft.contentType)
	h.Set(coc.HeaderRequestID, ft.requestID)
	h.Set("Retry-After", ft.retryAfter)
	return &http.Response{StatusCode: ft.status, Header: h, Body: io.NopCloser(strings.NewReader(ft.body)), Request: req}, nil
}

// Whatever a server answers, the client never panics, and its error never holds a secret: not
// one the request carried, nor the credentials, nor the request's signature, in any spelling.
func FuzzClientResponses(f *testing.F) {
	f.Add(400, "application/json", "req-1", "", `{"error_code":"COC.00040001","error_msg":"bad SECRET","details":[{"field":"SECRET","reason":"TOKEN"}]}`)
	f.Add(201, "application/json", "SECRET", "", `{"error_code":"COC.00000000","data":{"app_type":"lark","app_id":"cli_1","service_id":"1"}}`)
	f.Add(200, "application/json; charset=SECRET", "TOKEN", "", `{"error_code":"SIGNKEY","error_msg":"SECRET","data":{}}`)
	f.Add(502, "text/html", "req-2", "1", `<html>SECRET TOKEN</html>`)
	f.Add(429, "application/json", "", "0", `{"error_code":"APIG.0308","error_msg":"slow down"}`)
	f.Add(409, "application/json", "r", "", `{"error_code":"COC.00040901","error_msg":"already bound to SECRET"}`)
	f.Add(201, "application/json", "r", "", `{"data":{"app_type":"SECRET"}}`)
	f.Add(403, "application/json", "TOKEN", "", `{"error_code":"SECRET","error_msg":"SIGNATURE"}`)
	f.Fuzz(func(t *testing.T, status int, contentType, requestID, retryAfter, body string) {
		if status < 100 || status > 599 {
			return
		}
		// Headers get the values as they are; the body, usually JSON, gets them JSON-escaped.
		fill := strings.NewReplacer("SECRET", fuzzSecrets["SECRET"], "TOKEN", fuzzSecrets["TOKEN"], "SIGNKEY", fuzzSecrets["SIGNKEY"])
		fillJSON := strings.NewReplacer("SECRET", strings.Trim(string(must(json.Marshal(fuzzSecrets["SECRET"]))), `"`),
			"TOKEN", fuzzSecrets["TOKEN"], "SIGNKEY", fuzzSecrets["SIGNKEY"])
		transport := fuzzTransport{status: status, contentType: fill.Replace(contentType), requestID: fill.Replace(requestID),
			retryAfter: retryAfter, body: fillJSON.Replace(body)}
		var signatures []string
		client, err := coc.NewClient(coc.Config{
			Endpoint:    "https://coc.example.com",
			Credentials: coc.Credentials{AccessKey: "AK", SecretKey: fuzzSecrets["SIGNKEY"], SecurityToken: fuzzSecrets["TOKEN"]},
			MaxRetries:  0,
			Backoff:     coc.Backoff{Min: time.Microsecond, Max: time.Microsecond, MaxRetryAfter: time.Microsecond},
			HTTPClient: &http.Client{Transport: roundTripperFunc(func(req *http.Request) (*http.Response, error) {
				// The signature is known only once the request is signed; an echo of it is a leak too.
				// An echo repeats the request it answers, so each answer gets that request's signature.
				_, signature, _ := strings.Cut(req.Header.Get(coc.HeaderAuthorization), "Signature=")
				signatures = append(signatures, signature)
				answer := transport
				answer.body = strings.ReplaceAll(answer.body, "SIGNATURE", signature)
				return answer.RoundTrip(req)
			})},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.CreateBinding(context.Background(), coc.Lark, coc.BindingRequest{
			Fields:  map[string]string{"app_id": "cli_0123456789abcdef", "service_id": "svc-1"},
			Secrets: map[string]string{"app_secret": fuzzSecrets["SECRET"]},
		})
		if err == nil {
			return
		}
		var apiErr *coc.APIError
		var respErr *coc.ResponseError
		var transportErr *coc.TransportError
		if !errors.As(err, &apiErr) && !errors.As(err, &respErr) && !errors.As(err, &transportErr) {
			t.Fatalf("an error of an unexpected kind %T: %v", err, err)
		}
		secrets := append(slices.Collect(maps.Values(fuzzSecrets)), signatures...)
		for _, s := range secrets {
			for _, form := range coc.Spellings(s) {
				if form != "" && strings.Contains(err.Error(), form) {
					t.Fatalf("the error holds %q:\n%v", form, err)
				}
			}
		}
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
