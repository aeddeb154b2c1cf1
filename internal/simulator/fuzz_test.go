package simulator_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Whatever the client signs (any method, app type segment, query, header value and body), the
// simulator's verification accepts once the request has crossed the wire, and refuses it once
// a signed header is changed. The signer and the verifier share the canonicalisation code, so
// what this proves is that the canonical form survives what HTTP does to a request on its way.
func FuzzSignedRequestsVerify(f *testing.F) {
	f.Add(uint8(0), "wecom", "app_type=lark&limit=100", "v", []byte(nil))
	f.Add(uint8(1), "lark", "", "a b", []byte(`{"app_id":"cli_0123456789abcdef","app_secret":"s","service_id":"1"}`))
	f.Add(uint8(2), "ä ö/%2F", "x=%20+&&=y;z", "\tpadded ", []byte("not json"))
	f.Add(uint8(3), "..", "a=1&a=0&b", "ünïcode", []byte{0xff, 0x00})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, methodIndex uint8, appType, rawQuery, headerValue string, body []byte) {
		if !validHeaderValue(headerValue) || len(body) > 60<<10 {
			return
		}
		sim := simulator.New([]simulator.Tenant{tenant}, simulator.WithClock(func() time.Time { return now }))
		method := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}[int(methodIndex)%4]
		// The URL is built as the client builds it: an escaped app type, an encoded query.
		query, _ := url.ParseQuery(rawQuery)
		u := (&url.URL{Scheme: "http", Host: "sim.test"}).JoinPath(coc.MobileAppsPath + "/" + url.PathEscape(appType))
		u.RawQuery = query.Encode()
		req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("X-Fuzz", headerValue)
		hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}, Now: func() time.Time { return now }}.Sign(req, body)
		var wire bytes.Buffer
		if err := req.Write(&wire); err != nil {
			return
		}
		serve := func(raw []byte) *httptest.ResponseRecorder {
			received, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
			if err != nil {
				t.Fatalf("the simulator could not read what the client wrote: %v\n%q", err, raw)
			}
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, received)
			return rec
		}
		answer := serve(wire.Bytes())
		if answer.Code == http.StatusUnauthorized {
			t.Fatalf("a correctly signed request was refused: %s\n%q", answer.Body, wire.String())
		}
		if answer.Header().Get(hwhttp.HeaderRequestID) == "" || strings.Contains(answer.Body.String(), hwhttp.CodeNotPublished) {
			return // redirected, or answered by the gateway as an API it does not publish: never verified
		}
		tampered := bytes.Replace(wire.Bytes(), []byte("X-Fuzz: "), []byte("X-Fuzz: x"), 1)
		if answer := serve(tampered); answer.Code != http.StatusUnauthorized {
			t.Fatalf("a request with a changed signed header got %d, want 401: %s", answer.Code, answer.Body)
		}
	})
}

// validHeaderValue reports whether net/http can send v as a header value.
func validHeaderValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f })
}

// reasons are every reason DecodeBindingRequest gives: none repeats a value the body held.
var reasons = regexp.MustCompile(`^(?:is not a field of a (?:` + strings.Join(platforms.AppTypes(), "|") + `) app|must be a string, got (?:nothing|a string|an object|an array|a boolean|null|a number)|` +
	`must not be empty|must be at most 256 characters|must not contain whitespace or control characters|is required|must be a JSON object)$`)

// DecodeBindingRequest never panics, never quotes a value in its problems, and what it accepts
// encodes to a body it accepts again, unchanged.
func FuzzDecodeBindingRequest(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte(`{"enterprise_id":"ww0123456789abcdef","enterprise_key":"k","address_book_key":"k2","service_id":"1"}`))
	f.Add(uint8(1), uint8(1), []byte(`{"client_id":"ding","client_secret":"has space","robot_id":1,"extra":"x"}`))
	f.Add(uint8(2), uint8(0), []byte(`{"app_id":"","app_secret":"\u0000","service_id":null}`))
	f.Add(uint8(2), uint8(1), []byte(`null`))
	f.Fuzz(func(t *testing.T, platform, method uint8, body []byte) {
		p := platforms.All()[int(platform)%len(platforms.All())]
		m := simulator.Method(int(method) % 2)
		req, problems := simulator.DecodeBindingRequest(p, m, body)
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
		again, problems := simulator.DecodeBindingRequest(p, m, encoded)
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
