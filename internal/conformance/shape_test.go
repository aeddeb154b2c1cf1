package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The kit's form of a timestamp is the one the client writes and the simulator answers.
func TestTimestampForm_IsTheContractsForm(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("UTC+8", 8*3600))
	if got, want := at.UTC().Format(timestampForm), coc.FormatTimestamp(at); got != want {
		t.Errorf("the kit writes %s, the client %s", got, want)
	}
}

// Each way a binding can differ from the contract is named, with the field.
func TestReadBinding_NamesEachDifference(t *testing.T) {
	good := `{"app_type": "lark", "app_id": "cli_1", "service_id": "svc", "status": "enabled",
		"created_at": "2026-01-02T03:04:05.000Z", "updated_at": "2026-01-02T03:04:05.000Z", "key_updated_at": "2026-01-02T03:04:05.000Z"}`
	cases := []struct {
		name, from, to, want string
	}{
		{"conforms", "", "", ""},
		{"timestamp without milliseconds", `"updated_at": "2026-01-02T03:04:05.000Z"`, `"updated_at": "2026-01-02T03:04:05Z"`,
			`data.updated_at is "2026-01-02T03:04:05Z", not in the form 2006-01-02T15:04:05.000Z`},
		{"timestamp with an offset", `"created_at": "2026-01-02T03:04:05.000Z"`, `"created_at": "2026-01-02T11:04:05.000+08:00"`,
			`data.created_at is "2026-01-02T11:04:05.000+08:00", not in the form`},
		{"renamed field", `"service_id"`, `"serviceId"`, `data.service_id is missing (the answer has "serviceId" instead)`},
		{"empty identifier", `"app_id": "cli_1"`, `"app_id": ""`, `data.app_id is not a non-empty string`},
		{"number", `"service_id": "svc"`, `"service_id": 7`, `data.service_id is not a non-empty string`},
		{"another field sent", `"service_id": "svc"`, `"service_id": "other"`, `data.service_id is "other", not the "svc" sent`},
		{"a secret returned", `"status"`, `"app_secret": "x", "status"`, `data.app_secret is returned, but secrets are write-only`},
		{"status", `"enabled"`, `"disabled"`, `data.status is "disabled", not enabled`},
		{"another app type", `"app_type": "lark"`, `"app_type": "wecom"`, `data.app_type is "wecom", not lark`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(strings.Replace(good, c.from, c.to, 1)), &v); err != nil {
				t.Fatal(err)
			}
			_, diffs := readBinding("data", v, platforms.Lark, map[string]string{"app_id": "cli_1", "service_id": "svc"})
			got := strings.Join(diffs, "; ")
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// An error answer is checked for COC's shape, and a gateway code for the gateway's request_id.
func TestWant_JudgesErrorShapes(t *testing.T) {
	answerOf := func(body string, requestID string) *answer {
		h := http.Header{"Content-Type": {"application/json"}}
		if requestID != "" {
			h.Set(hwhttp.HeaderRequestID, requestID)
		}
		return newAnswer(http.StatusNotFound, h, []byte(body))
	}
	gateway := errorWant(http.StatusNotFound, hwhttp.CodeNotPublished)
	cases := []struct {
		name string
		a    *answer
		want string
	}{
		{"the gateway's shape", answerOf(`{"error_code": "APIG.0101", "error_msg": "m", "request_id": "r1"}`, "r1"), ""},
		{"no request_id", answerOf(`{"error_code": "APIG.0101", "error_msg": "m"}`, "r1"), "no request_id in the gateway's error body"},
		{"another request_id", answerOf(`{"error_code": "APIG.0101", "error_msg": "m", "request_id": "r2"}`, "r1"), `request_id "r2" in the body`},
		{"no X-Request-Id", answerOf(`{"error_code": "APIG.0101", "error_msg": "m", "request_id": "r1"}`, ""), "no X-Request-Id header"},
		{"COC's code", answerOf(`{"error_code": "COC.00040400", "error_msg": "m"}`, "r1"), "error_code COC.00040400, not APIG.0101"},
		{"bad details", answerOf(`{"error_code": "APIG.0101", "error_msg": "m", "request_id": "r1", "details": [{"field": 1}]}`, "r1"), "details[0] is not"},
		{"not JSON", newAnswer(http.StatusNotFound, http.Header{"Content-Type": {"text/html"}, hwhttp.HeaderRequestID: {"r1"}}, []byte("<html>")),
			`content type "text/html", not JSON`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diffs := gateway.judge(c.a)
			got := strings.Join(diffs, "; ")
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// A list page is checked against the filter, the limit, the offset and one binding per app type.
func TestPageWant_NamesEachDifference(t *testing.T) {
	item := func(appType, id string) string {
		p, _ := platforms.For(platforms.AppType(appType))
		fields := `"app_type": "` + appType + `", "` + p.Identifier.Name + `": "` + id + `"`
		for _, name := range p.FieldNames() {
			fields += `, "` + name + `": "v"`
		}
		return `{` + fields + `, "status": "enabled", "created_at": "2026-01-02T03:04:05.000Z", "updated_at": "2026-01-02T03:04:05.000Z", "key_updated_at": "2026-01-02T03:04:05.000Z"}`
	}
	cases := []struct {
		name string
		pw   pageWant
		data string
		want string
	}{
		{"conforms", pageWant{limit: 20, count: -1}, `{"total": 2, "list": [` + item("lark", "a") + `, ` + item("wecom", "b") + `]}`, ""},
		{"filter ignored", pageWant{filter: platforms.Lark, limit: 20, count: -1}, `{"total": 1, "list": [` + item("wecom", "b") + `]}`,
			`data.list[0].app_type is "wecom", not lark`},
		{"an app type twice", pageWant{limit: 20, count: -1}, `{"total": 2, "list": [` + item("lark", "a") + `, ` + item("lark", "b") + `]}`,
			`data.list[1] is a second lark binding`},
		{"a total beyond one per app type", pageWant{limit: 20, count: -1}, `{"total": 1000000000, "list": []}`,
			fmt.Sprintf("data.total 1000000000, but a tenant binds at most %d", len(platforms.All()))},
		{"over the limit", pageWant{limit: 1, count: -1}, `{"total": 2, "list": [` + item("lark", "a") + `, ` + item("wecom", "b") + `]}`,
			`2 listed, more than the limit of 1`},
		{"a page that does not advance", pageWant{limit: 1, offset: 2, count: 0}, `{"total": 2, "list": [` + item("lark", "a") + `]}`,
			`data.total 2, but the page starts at 2 and lists 1; 1 listed, not 0`},
		{"no total", pageWant{limit: 20, count: -1}, `{"list": []}`, `data.total is not a whole number`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(c.data), &v); err != nil {
				t.Fatal(err)
			}
			_, diffs := c.pw.check(&page{})(v)
			got := strings.Join(diffs, "; ")
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
