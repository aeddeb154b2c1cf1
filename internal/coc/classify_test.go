package coc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The decision table of what the client concludes from one answer: the call it answers × status
// × code × content type × body. Only COC's own codes say anything about a binding.
func TestWhatAnAnswerMeans(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	lark := Binding{AppType: platforms.Lark, Status: StatusEnabled, CreatedAt: at, UpdatedAt: at, KeyUpdatedAt: at,
		Fields: map[string]string{"app_id": "cli_a1b2c3d4e5f6a7b8", "service_id": "s1"}}
	sent := BindingRequest{Fields: map[string]string{"app_id": "cli_a1b2c3d4e5f6a7b8", "service_id": "s1"}, Secrets: map[string]string{"app_secret": "x"}}
	calls := map[string]*call{
		"get":    {method: http.MethodGet, path: bindingPath(platforms.Lark), appType: platforms.Lark},
		"list":   {method: http.MethodGet, path: MobileAppsPath, listFilter: platforms.Lark},
		"post":   {method: http.MethodPost, path: bindingPath(platforms.Lark), appType: platforms.Lark, sent: &sent},
		"put":    {method: http.MethodPut, path: bindingPath(platforms.Lark), appType: platforms.Lark, sent: &sent},
		"delete": {method: http.MethodDelete, path: bindingPath(platforms.Lark), appType: platforms.Lark},
	}
	errorBody := func(code string) string { return fmt.Sprintf(`{"error_code":%q,"error_msg":"m"}`, code) }
	gatewayBody := func(code string) string {
		return fmt.Sprintf(`{"error_code":%q,"error_msg":"m","request_id":"gw-1"}`, code)
	}
	success := func(data any) string {
		b, _ := json.Marshal(Envelope[any]{ErrorCode: CodeSuccess, ErrorMsg: "success", Data: &data})
		return string(b)
	}
	with := func(edit func(*Binding)) Binding {
		b := lark
		b.Fields = map[string]string{"app_id": lark.Fields["app_id"], "service_id": lark.Fields["service_id"]}
		edit(&b)
		return b
	}
	const jsonType, html = "application/json", "text/html"
	all := "get list post put delete"
	rows := []struct {
		status      int
		contentType string
		body        string
		// conclusions maps space-separated call names to the kind concluded (nil: success).
		conclusions map[string]error
		// reason, when set, is what a malformed answer's error says.
		reason string
	}{
		{404, jsonType, errorBody(CodeNotBound), map[string]error{"get put delete": ErrNotBound, "post list": ErrNotServed}, ""},
		{404, jsonType, gatewayBody(hwhttp.CodeNotPublished), map[string]error{all: ErrNotServed}, ""},
		{404, jsonType, errorBody(CodeNoSuchAPI), map[string]error{all: ErrNotServed}, ""},
		{404, html, "<html>Not Found</html>", map[string]error{all: ErrNotServed}, ""},
		{404, "", "", map[string]error{all: ErrNotServed}, ""},
		{404, jsonType, "{}", map[string]error{all: ErrNotServed}, ""},
		{409, jsonType, errorBody(CodeAlreadyBound), map[string]error{"post": ErrAlreadyBound, "get list put delete": ErrNotServed}, ""},
		{409, jsonType, errorBody("PROXY.0409"), map[string]error{all: ErrNotServed}, ""},
		{400, jsonType, errorBody(CodeInvalidField), map[string]error{all: ErrValidation}, ""},
		{413, jsonType, errorBody(CodeInvalidField), map[string]error{all: ErrValidation}, ""},
		{400, jsonType, errorBody(CodeImmutableField), map[string]error{"put": ErrOtherAppBound, "get list post delete": ErrValidation}, ""},
		{412, jsonType, errorBody(CodeOtherAppBound), map[string]error{"delete": ErrOtherAppBound, "get list post put": ErrNotServed}, ""},
		{412, jsonType, errorBody("PROXY.0412"), map[string]error{all: ErrNotServed}, ""},
		{422, jsonType, errorBody(CodeKeyReused), map[string]error{"post": ErrAlreadyBound, "get list put delete": ErrNotServed}, ""},
		{400, jsonType, gatewayBody("APIG.0201"), map[string]error{all: ErrNotServed}, ""},
		{413, jsonType, gatewayBody("APIG.0201"), map[string]error{all: ErrNotServed}, ""},
		{400, jsonType, gatewayBody(hwhttp.CodeOrchestration), map[string]error{all: ErrNotServed}, ""},
		{401, jsonType, gatewayBody(hwhttp.CodeBadSignature), map[string]error{all: ErrAuth}, ""},
		{401, html, "<html>login</html>", map[string]error{all: ErrAuth}, ""},
		{403, jsonType, gatewayBody("APIG.0303"), map[string]error{all: ErrAuth}, ""},
		{429, jsonType, gatewayBody("APIG.0308"), map[string]error{all: ErrThrottled}, ""},
		{429, html, "<html>slow down</html>", map[string]error{all: ErrThrottled}, ""},
		{500, jsonType, errorBody(CodeInternal), map[string]error{all: ErrServer}, ""},
		{502, jsonType, gatewayBody("APIG.0201"), map[string]error{all: ErrServer}, ""},
		{502, html, "<html>502 Bad Gateway</html>", map[string]error{all: ErrServer}, ""},
		{500, jsonType, gatewayBody(hwhttp.CodeNoBackend), map[string]error{all: ErrNotServed}, ""},
		{501, jsonType, errorBody("X"), map[string]error{all: ErrNotServed}, ""},
		{200, html, "<html>login</html>", map[string]error{all: ErrNotServed}, ""},
		{204, "", "", map[string]error{"delete": nil}, ""},
		{200, jsonType, `{"error_code":"COC.00000000","error_msg":"success"}`, map[string]error{"delete": nil, "get list post put": ErrResponse}, "the envelope has no data"},
		{200, jsonType, errorBody(CodeInternal), map[string]error{all: ErrResponse}, "success status with error code COC.00050001"},
		{200, jsonType, "{}", map[string]error{all: ErrResponse}, "the envelope has no error_code"},
		{200, jsonType, `{"error_code":"COC.00000000","data":{"app_type":"la`, map[string]error{"get list post put": ErrResponse}, "invalid JSON"},
		{200, jsonType, success(lark), map[string]error{"get post put": nil}, ""},
		{200, jsonType, success(BindingList{Total: 1, List: []Binding{lark}}), map[string]error{"list": nil}, ""},
		{200, jsonType, success(with(func(b *Binding) {
			b.AppType = platforms.WeCom
			b.Fields = map[string]string{"enterprise_id": "ww1", "service_id": "1"}
		})),
			map[string]error{"get post put": ErrResponse}, `data.app_type is "wecom", not the "lark" asked for`},
		{201, jsonType, success(with(func(b *Binding) { b.Fields["app_id"] = "cli_other" })),
			map[string]error{"post put": ErrResponse, "get": nil}, `data.app_id is "cli_other", not the "cli_a1b2c3d4e5f6a7b8" sent`},
		{200, jsonType, success(with(func(b *Binding) { delete(b.Fields, "service_id") })), map[string]error{"get post put": ErrResponse}, "data.service_id is missing"},
		{200, jsonType, strings.Replace(success(lark), `"created_at":"2026-01-02T03:04:05.000Z",`, "", 1), map[string]error{"get post put": ErrResponse}, "data.created_at is missing"},
		{200, jsonType, strings.Replace(success(lark), `"status":"enabled"`, `"status":""`, 1), map[string]error{"get post put": ErrResponse}, "data.status is missing"},
		{200, jsonType, strings.Replace(success(lark), `.000Z`, `Z`, 1), map[string]error{"get post put": ErrResponse}, `is not a time in the form`},
	}
	c := &Client{cfg: Config{MaxResponseBytes: DefaultMaxResponseBytes}}
	for _, row := range rows {
		for names, want := range row.conclusions {
			for name := range strings.FieldsSeq(names) {
				cl := calls[name]
				resp := &http.Response{StatusCode: row.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(row.body)), Request: &http.Request{Header: http.Header{}}}
				if row.contentType != "" {
					resp.Header.Set("Content-Type", row.contentType)
				}
				var out any
				switch name {
				case "list":
					out = &BindingList{}
				case "delete":
				default:
					out = &Binding{}
				}
				err := c.decode(cl, hwhttp.ReadAnswer(resp, c.cfg.MaxResponseBytes), nil, out)
				what := fmt.Sprintf("%s answered %d %s %.60q", cl.operation(), row.status, row.contentType, row.body)
				switch {
				case want == nil && err != nil:
					t.Errorf("%s: got %v, want success", what, err)
				case want != nil && !errors.Is(err, want):
					t.Errorf("%s: got %v, want %v", what, err, want)
				case want != nil && row.reason != "" && errors.Is(want, ErrResponse) && !strings.Contains(err.Error(), row.reason):
					t.Errorf("%s: got %v, want it to say %q", what, err, row.reason)
				}
			}
		}
	}
}
