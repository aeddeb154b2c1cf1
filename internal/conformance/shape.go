package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// timestampForm is the contract's only form of a timestamp: UTC, RFC 3339 with milliseconds.
const timestampForm = "2006-01-02T15:04:05.000Z"

// want is what the contract says a call is answered with.
type want struct {
	status int
	// says is the contract's words for the report.
	says string
	// code is an error answer's code; details requires at least one details entry.
	code    string
	details bool
	// data checks a success envelope's data and sums it up; nil for an answer without a body.
	data func(data any) (summary string, diffs []string)
	// also checks more of the answer.
	also func(a *answer) []string
	// or is another answer the contract allows for the call.
	or *want
}

func (w want) contract() string {
	if w.or != nil {
		return w.says + ", or " + w.or.contract()
	}
	return w.says
}

func (w want) statuses() string {
	s := strconv.Itoa(w.status)
	if w.or != nil {
		s += " or " + w.or.statuses()
	}
	return s
}

// judge compares an answer with w: it sums up what the endpoint did and lists every difference.
func (w want) judge(a *answer) (string, []string) {
	for alt := w.or; a.status != w.status && alt != nil; alt = alt.or {
		if a.status == alt.status {
			return alt.judge(a)
		}
	}
	did, diffs := a.brief(), headerDiffs(a)
	switch {
	case a.status != w.status:
		diffs = append(diffs, fmt.Sprintf("HTTP %d, not %s", a.status, w.statuses()))
	case w.status >= 300:
		diffs = append(diffs, errorDiffs(a, w.code, w.details)...)
	case w.data == nil && len(a.body) > 0:
		diffs = append(diffs, fmt.Sprintf("a body of %d bytes, where the contract has none", len(a.body)))
	case w.data != nil:
		summary, more := envelopeDiffs(a, w.data)
		did, diffs = did+", "+summary, append(diffs, more...)
	}
	if w.also != nil && a.status == w.status {
		diffs = append(diffs, w.also(a)...)
	}
	if a.code() == hwhttp.CodeNotPublished && w.code != hwhttp.CodeNotPublished {
		diffs = append(diffs, "the endpoint does not offer the COC mobile-app API: the API gateway answers "+hwhttp.CodeNotPublished+
			" for an API it does not publish (check HW_COC_ENDPOINT or HW_REGION_NAME)")
	}
	return did, diffs
}

// headerDiffs checks what every answer carries: X-Request-Id, and a JSON object as the body
// (a 204 has none).
func headerDiffs(a *answer) []string {
	var diffs []string
	if a.requestID == "" {
		diffs = append(diffs, "no "+hwhttp.HeaderRequestID+" header")
	}
	switch {
	case a.status == http.StatusNoContent && len(a.body) == 0:
	case !isJSON(a.contentType):
		diffs = append(diffs, fmt.Sprintf("content type %q, not JSON", a.header.Get("Content-Type")))
	case a.object == nil:
		diffs = append(diffs, "the body is not a JSON object")
	}
	return diffs
}

// errorDiffs checks an error answer: {"error_code", "error_msg", "details"?} with the code
// expected, and the gateway's request_id for a gateway code.
func errorDiffs(a *answer, code string, details bool) []string {
	if a.object == nil {
		return nil // headerDiffs said so
	}
	var diffs []string
	got, ok := a.object["error_code"].(string)
	switch {
	case !ok || got == "":
		diffs = append(diffs, "no error_code")
	case got != code:
		diffs = append(diffs, fmt.Sprintf("error_code %s, not %s", got, code))
	}
	if _, ok := a.object["error_msg"].(string); !ok {
		diffs = append(diffs, "no error_msg")
	}
	diffs = append(diffs, detailsDiffs(a.object["details"], details)...)
	if hwhttp.IsGatewayCode(code) {
		switch id, _ := a.object["request_id"].(string); {
		case id == "":
			diffs = append(diffs, "no request_id in the gateway's error body")
		case id != a.requestID:
			diffs = append(diffs, fmt.Sprintf("request_id %s in the body, but %s %s", quote(id), hwhttp.HeaderRequestID, quote(a.requestID)))
		}
	}
	return diffs
}

// detailsDiffs checks an error's optional details: a list of {"field", "reason"} strings.
func detailsDiffs(v any, required bool) []string {
	if v == nil {
		if required {
			return []string{"no details"}
		}
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return []string{"details is not a list"}
	}
	if required && len(list) == 0 {
		return []string{"details is empty"}
	}
	for i, d := range list {
		entry, _ := d.(map[string]any)
		field, okField := entry["field"].(string)
		_, okReason := entry["reason"].(string)
		if !okField || !okReason || field == "" {
			return []string{fmt.Sprintf("details[%d] is not {\"field\", \"reason\"}", i)}
		}
	}
	return nil
}

// envelopeDiffs checks COC's success envelope and its data.
func envelopeDiffs(a *answer, data func(any) (string, []string)) (string, []string) {
	if a.object == nil {
		return "not an envelope", nil // headerDiffs said why
	}
	var diffs []string
	if s, _ := a.object["provider_code"].(string); s == "" {
		diffs = append(diffs, "no provider_code")
	}
	if code, _ := a.object["error_code"].(string); code != coc.CodeSuccess {
		diffs = append(diffs, fmt.Sprintf("error_code %s, not %s", quote(code), coc.CodeSuccess))
	}
	if _, ok := a.object["error_msg"].(string); !ok {
		diffs = append(diffs, "no error_msg")
	}
	if a.object["data"] == nil {
		return "no data", append(diffs, "no data")
	}
	summary, more := data(a.object["data"])
	return summary, append(diffs, more...)
}

// binding is what a binding answer said, for the checks that follow it.
type binding struct {
	appType      platforms.AppType
	fields       map[string]string
	createdAt    string
	keyUpdatedAt string
	// idempotencyKey is the key of the POST that made the binding, while COC recognises it.
	idempotencyKey string
}

// readBinding checks a binding at where ("data", "data.list[0]"): of app type expected (when
// set), with the identifier and every plain field as non-empty strings (the ones sent, when
// sent), no secret, status enabled, and the three timestamps in the contract's form.
func readBinding(where string, v any, expected platforms.AppType, sent map[string]string) (binding, []string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return binding{}, []string{where + " is not an object"}
	}
	b := binding{appType: platforms.AppType(str(obj, "app_type")), fields: map[string]string{}}
	p, err := platforms.For(b.appType)
	switch {
	case expected != "" && b.appType != expected:
		return b, []string{fmt.Sprintf("%s.app_type is %s, not %s", where, quote(string(b.appType)), expected)}
	case err != nil:
		return b, []string{fmt.Sprintf("%s.app_type is %s, not one of %s", where, quote(string(b.appType)), strings.Join(platforms.AppTypes(), ", "))}
	}
	var diffs []string
	for _, name := range p.NonSecretNames() {
		value, isString := obj[name].(string)
		switch {
		case obj[name] == nil:
			diffs = append(diffs, fmt.Sprintf("%s.%s is missing%s", where, name, lookalike(obj, name)))
		case !isString || value == "":
			diffs = append(diffs, fmt.Sprintf("%s.%s is not a non-empty string", where, name))
		case sent != nil && value != sent[name]:
			diffs = append(diffs, fmt.Sprintf("%s.%s is %s, not the %s sent", where, name, quote(value), quote(sent[name])))
		}
		b.fields[name] = value
	}
	for _, name := range p.SecretNames() {
		if _, ok := obj[name]; ok {
			diffs = append(diffs, fmt.Sprintf("%s.%s is returned, but secrets are write-only", where, name))
		}
	}
	if status := str(obj, "status"); status != coc.StatusEnabled {
		diffs = append(diffs, fmt.Sprintf("%s.status is %s, not %s", where, quote(status), coc.StatusEnabled))
	}
	for _, name := range []string{"created_at", "updated_at", "key_updated_at"} {
		if _, err := time.Parse(timestampForm, str(obj, name)); err != nil {
			diffs = append(diffs, fmt.Sprintf("%s.%s is %s, not in the form %s", where, name, quote(str(obj, name)), timestampForm))
		}
	}
	b.createdAt, b.keyUpdatedAt, b.idempotencyKey = str(obj, "created_at"), str(obj, "key_updated_at"), str(obj, "idempotency_key")
	return b, diffs
}

// lookalike names a field of obj that is spelt like name but differently (serviceId for
// service_id), which is the usual way a field goes missing.
func lookalike(obj map[string]any, name string) string {
	fold := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for key := range obj {
		if key != name && fold(key) == fold(name) {
			return fmt.Sprintf(" (the answer has %s instead)", quote(key))
		}
	}
	return ""
}

func str(obj map[string]any, name string) string {
	s, _ := obj[name].(string)
	return s
}

// page is what a list answer said.
type page struct {
	total    int
	bindings []binding
}

func (p page) appTypes() []string {
	types := make([]string, len(p.bindings))
	for i, b := range p.bindings {
		types[i] = string(b.appType)
	}
	return types
}

// pageWant is what the contract says of one list page: at most limit items of the filter's app
// type (any, when empty), one binding per app type, count items when count >= 0.
type pageWant struct {
	filter platforms.AppType
	limit  int
	offset int
	count  int
}

// check reads a list's data into out and lists what differs from pw.
func (pw pageWant) check(out *page) func(any) (string, []string) {
	return func(v any) (string, []string) {
		obj, ok := v.(map[string]any)
		if !ok {
			return "data is not an object", []string{"data is not {\"total\", \"list\"}"}
		}
		var diffs []string
		total, ok := obj["total"].(float64)
		if !ok || total < 0 || total != float64(int(total)) {
			diffs = append(diffs, "data.total is not a whole number")
		}
		out.total = int(total)
		list, ok := obj["list"].([]any)
		if !ok {
			return fmt.Sprintf("total %d, no list", out.total), append(diffs, "data.list is not a list")
		}
		for i, item := range list {
			b, more := readBinding(fmt.Sprintf("data.list[%d]", i), item, pw.filter, nil)
			if slices.ContainsFunc(out.bindings, func(o binding) bool { return o.appType == b.appType }) {
				more = append(more, fmt.Sprintf("data.list[%d] is a second %s binding", i, b.appType))
			}
			out.bindings, diffs = append(out.bindings, b), append(diffs, more...)
		}
		listed := "none listed"
		if len(list) > 0 {
			listed = "listed " + strings.Join(out.appTypes(), ", ")
		}
		return fmt.Sprintf("total %d, %s", out.total, listed), append(diffs, pw.countDiffs(out.total, len(list))...)
	}
}

func (pw pageWant) countDiffs(total, listed int) []string {
	most := len(platforms.All())
	if pw.filter != "" {
		most = 1
	}
	var diffs []string
	switch {
	case total > most:
		diffs = append(diffs, fmt.Sprintf("data.total %d, but a tenant binds at most %d here (one app per app type)", total, most))
	case listed > 0 && total < pw.offset+listed:
		diffs = append(diffs, fmt.Sprintf("data.total %d, but the page starts at %d and lists %d", total, pw.offset, listed))
	}
	if listed > pw.limit {
		diffs = append(diffs, fmt.Sprintf("%d listed, more than the limit of %d", listed, pw.limit))
	}
	if pw.count >= 0 && listed != pw.count {
		diffs = append(diffs, fmt.Sprintf("%d listed, not %d", listed, pw.count))
	}
	return diffs
}
