package coc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The fuzz targets run their seeds (testdata/fuzz and the f.Add calls) in every `go test`;
// `make fuzz` explores beyond them.

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
	h.Set(hwhttp.HeaderRequestID, ft.requestID)
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
			Credentials: hwhttp.Credentials{AccessKey: "AK", SecretKey: fuzzSecrets["SIGNKEY"], SecurityToken: fuzzSecrets["TOKEN"]},
			MaxRetries:  0,
			Backoff:     hwhttp.Backoff{Min: time.Microsecond, Max: time.Microsecond, MaxRetryAfter: time.Microsecond},
			HTTPClient: &http.Client{Transport: roundTripperFunc(func(req *http.Request) (*http.Response, error) {
				// The signature is known only once the request is signed; an echo of it is a leak too.
				// An echo repeats the request it answers, so each answer gets that request's signature.
				_, signature, _ := strings.Cut(req.Header.Get(hwhttp.HeaderAuthorization), "Signature=")
				signatures = append(signatures, signature)
				answer := transport
				answer.body = strings.ReplaceAll(answer.body, "SIGNATURE", signature)
				return answer.RoundTrip(req)
			})},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.CreateBinding(context.Background(), platforms.Lark, coc.BindingRequest{
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
			for _, form := range hwhttp.Spellings(s) {
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
