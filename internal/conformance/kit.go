package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// kit runs the checks against one endpoint.
type kit struct {
	ep  *endpoint
	rep *report
	// writes allows the write checks; writesOff says why they are off.
	writes    bool
	writesOff string
	apps      []app
	// made holds, by app type, the identifier of each binding this run may have made and not
	// yet seen unbound: the cleanup unbinds exactly these, and only while they hold it.
	made map[platforms.AppType]string
}

// check sends r, judges the answer against w and reports it. The error is fatal: the run stops.
func (k *kit) check(ctx context.Context, r request, w want) (*answer, bool, error) {
	a, err := k.ep.send(ctx, r)
	if err != nil {
		return nil, false, err
	}
	did, diffs := w.judge(a)
	v := pass
	if len(diffs) > 0 {
		v, did = diff, did+": "+strings.Join(diffs, "; ")
	}
	if a.code() == hwhttp.CodeNotPublished && w.code != hwhttp.CodeNotPublished {
		k.rep.notOffered = true
	}
	k.rep.check(v, r.String(), w.contract(), did, a.requestID)
	return a, v == pass, nil
}

func bindingPath(p platforms.Platform) string {
	return coc.MobileAppsPath + "/" + url.PathEscape(string(p.AppType))
}

func get(p platforms.Platform, label string) request {
	return request{method: http.MethodGet, path: bindingPath(p), label: label}
}

func list(q url.Values) request {
	return request{method: http.MethodGet, path: coc.MobileAppsPath, query: q}
}

func errorWant(status int, code string) want {
	return want{status: status, says: fmt.Sprintf("%d %s", status, code), code: code}
}

var notBound = errorWant(http.StatusNotFound, coc.CodeNotBound)

// bindingWant is a binding of p's app type (with the fields sent, when sent), read into out.
func bindingWant(status int, p platforms.Platform, sent map[string]string, out *binding) want {
	says := fmt.Sprintf("%d, a %s binding", status, p.AppType)
	if sent != nil {
		says += " with the fields sent"
	}
	return want{status: status, says: says, data: func(v any) (string, []string) {
		b, diffs := readBinding("data", v, p.AppType, sent)
		if out != nil {
			*out = b
		}
		return fmt.Sprintf("a %s binding of %s %s", b.appType, p.Identifier.Name, quote(b.fields[p.Identifier.Name])), diffs
	}}
}

// listWant is a page of a list, read into out.
func listWant(pw pageWant, out *page) want {
	says := fmt.Sprintf("200, data {total, list} of at most %d bindings", pw.limit)
	if pw.filter != "" {
		says += ", " + string(pw.filter) + " only"
	}
	if pw.count >= 0 {
		says = fmt.Sprintf("200, data {total, list} listing %d binding(s) from offset %d", pw.count, pw.offset)
	}
	return want{status: http.StatusOK, says: says, data: pw.check(out)}
}

// reads checks what reading the tenant shows, whatever it holds: the list and its limits, each
// app type's binding, and the gateway's answer to an unknown path.
func (k *kit) reads(ctx context.Context) error {
	var all page
	if _, _, err := k.check(ctx, list(nil), listWant(pageWant{limit: simulator.DefaultPageLimit, count: -1}, &all)); err != nil {
		return err
	}
	for _, q := range []url.Values{
		{"limit": {"0"}}, {"limit": {strconv.Itoa(coc.MaxPageLimit + 1)}}, {"offset": {"-1"}}, {"app_type": {"conformance"}},
	} {
		w := errorWant(http.StatusBadRequest, coc.CodeInvalidField)
		w.says, w.details = w.says+" with details", true
		if _, _, err := k.check(ctx, list(q), w); err != nil {
			return err
		}
	}
	for _, p := range platforms.All() {
		q := url.Values{"app_type": {string(p.AppType)}}
		if _, _, err := k.check(ctx, list(q), listWant(pageWant{filter: p.AppType, limit: simulator.DefaultPageLimit, count: -1}, &page{})); err != nil {
			return err
		}
	}
	for _, p := range platforms.All() {
		w := bindingWant(http.StatusOK, p, nil, nil)
		w.or = &notBound
		if _, _, err := k.check(ctx, get(p, ""), w); err != nil {
			return err
		}
	}
	unknown := errorWant(http.StatusNotFound, hwhttp.CodeNotPublished)
	unknown.says += " in the API gateway's shape, with request_id"
	_, _, err := k.check(ctx, request{method: http.MethodGet, path: "/v1/conformance/no-such-api"}, unknown)
	return err
}

// pagination pages through the list one binding at a time: each page lists the next binding and
// the pages list each binding once. made are the bindings this run made, which the list must
// show as they were sent.
func (k *kit) pagination(ctx context.Context, made map[platforms.AppType]map[string]string) error {
	var all page
	w := listWant(pageWant{limit: coc.MaxPageLimit, count: -1}, &all)
	if len(made) > 0 {
		w.says += ", among them each binding this run made"
		w.also = func(*answer) []string { return madeListed(all, made) }
	}
	a, _, err := k.check(ctx, list(url.Values{"limit": {strconv.Itoa(coc.MaxPageLimit)}}), w)
	if err != nil {
		return err
	}
	const call, says = "GET /v1/mobile-apps?limit=1&offset=0…total", "pages of one binding each, up to total"
	switch {
	case a.status != http.StatusOK:
		k.rep.check(skip, call, says, "not sent: the list answered "+a.brief(), "")
		return nil
	case all.total < 2:
		k.rep.check(skip, call, says, fmt.Sprintf("not sent: paging needs 2 bindings, and the tenant has %d%s", all.total, k.writesHint()), "")
		return nil
	}
	end := min(all.total, len(platforms.All())) // a total beyond one per app type has been reported
	var paged []string
	for offset := 0; offset <= end; offset++ {
		var pg page
		pw := pageWant{limit: 1, offset: offset, count: min(1, end-offset)}
		if _, _, err := k.check(ctx, list(url.Values{"limit": {"1"}, "offset": {strconv.Itoa(offset)}}), listWant(pw, &pg)); err != nil {
			return err
		}
		paged = append(paged, pg.appTypes()...)
	}
	listed := all.appTypes()
	slices.Sort(paged)
	slices.Sort(listed)
	v, did := pass, fmt.Sprintf("the pages listed %v", paged)
	if !slices.Equal(paged, listed) {
		v, did = diff, did+fmt.Sprintf(": the full list has %v", listed)
	}
	k.rep.check(v, call, "the pages list each binding of the full list once", did, "")
	return nil
}

// madeListed lists the bindings this run made that the list lacks or shows otherwise.
func madeListed(all page, made map[platforms.AppType]map[string]string) []string {
	var diffs []string
	for t, fields := range made {
		i := slices.IndexFunc(all.bindings, func(b binding) bool { return b.appType == t })
		if i < 0 {
			diffs = append(diffs, fmt.Sprintf("the %s binding this run made is not listed", t))
			continue
		}
		for name, v := range fields {
			if got := all.bindings[i].fields[name]; got != v {
				diffs = append(diffs, fmt.Sprintf("the listed %s binding has %s %s, not the %s sent", t, name, quote(got), quote(v)))
			}
		}
	}
	slices.Sort(diffs)
	return diffs
}

func (k *kit) writesHint() string {
	if k.writes {
		return ""
	}
	return " (" + k.writesOff + ")"
}
