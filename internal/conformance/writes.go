package conformance

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// lifecycle is one platform's binding made by this run, as the checks have seen it so far.
type lifecycle struct {
	app
	// fields are the identifier and plain fields the binding holds now.
	fields map[string]string
	seen   binding
}

// writeChecks binds an app on every platform that is unbound in the tenant, pages through the list
// with them, then updates and unbinds each. Without writes each step is a SKIP line.
func (k *kit) writeChecks(ctx context.Context) error {
	if !k.writes {
		for _, a := range k.apps {
			k.skipWrites(a.platform, "not sent: "+k.writesOff)
		}
		return k.pagination(ctx, nil)
	}
	method := errorWant(http.StatusNotFound, hwhttp.CodeNotPublished)
	method.says += " (a method the API does not have)"
	if _, _, err := k.check(ctx, request{method: http.MethodPatch, path: coc.MobileAppsPath, body: map[string]string{}}, method); err != nil {
		return err
	}
	var bound []*lifecycle
	for _, a := range k.apps {
		lc, err := k.bind(ctx, a)
		if err != nil {
			return err
		}
		if lc != nil {
			bound = append(bound, lc)
		}
	}
	made := map[platforms.AppType]map[string]string{}
	for _, lc := range bound {
		made[lc.platform.AppType] = lc.fields
	}
	if err := k.pagination(ctx, made); err != nil {
		return err
	}
	for _, lc := range bound {
		for _, step := range []func(context.Context, *lifecycle) error{k.filtered, k.update, k.unbind} {
			if err := step(ctx, lc); err != nil {
				return err
			}
		}
	}
	return nil
}

func (k *kit) skipWrites(p platforms.Platform, why string) {
	k.rep.check(skip, "POST, GET, PUT, DELETE "+bindingPath(p), fmt.Sprintf("201, 200, 200, 204: an app is bound on %s, read, updated and unbound", p.AppType), why, "")
}

// bind binds a on its platform when the tenant has nothing bound there, as COC's own 404 says,
// and checks the create's answers. It returns nil when the platform's other checks cannot follow.
func (k *kit) bind(ctx context.Context, a app) (*lifecycle, error) {
	if ok, err := k.unbound(ctx, a); err != nil || !ok {
		return nil, err
	}
	// From here on the cleanup knows the binding, in case any of the POSTs makes it.
	k.made[a.platform.AppType] = a.identifier()
	p, lc := a.platform, &lifecycle{app: a, fields: maps.Clone(a.fields)}
	invalid := errorWant(http.StatusBadRequest, coc.CodeInvalidField)
	invalid.says, invalid.details = invalid.says+" with details (every secret is required)", true
	first := p.SecretNames()[0]
	r := request{method: http.MethodPost, path: bindingPath(p), body: a.body(a.fields, without(a.secrets, first)), label: "without " + first}
	if _, _, err := k.check(ctx, r, invalid); err != nil {
		return nil, err
	}
	key := map[string]string{coc.HeaderIdempotencyKey: "coc-conformance-" + randomHex(16)}
	r = request{method: http.MethodPost, path: bindingPath(p), body: a.body(a.fields, a.secrets), header: key}
	w := bindingWant(http.StatusCreated, p, a.fields, &lc.seen)
	w.says += ", holding the Idempotency-Key sent"
	w.also = func(*answer) []string {
		return same("idempotency_key", key[coc.HeaderIdempotencyKey], lc.seen.idempotencyKey)
	}
	ans, _, err := k.check(ctx, r, w)
	if err != nil || ans.status != http.StatusCreated {
		if err == nil {
			k.skipRest(p, "the create answered "+ans.brief())
		}
		return nil, err
	}
	created := lc.seen
	w = bindingWant(http.StatusOK, p, a.fields, &lc.seen)
	w.says += ", created_at as created, and the create's idempotency_key"
	w.also = func(*answer) []string {
		return append(same("created_at", created.createdAt, lc.seen.createdAt), same("idempotency_key", created.idempotencyKey, lc.seen.idempotencyKey)...)
	}
	if _, _, err := k.check(ctx, get(p, ""), w); err != nil {
		return nil, err
	}
	return lc, k.createAgain(ctx, lc, r, created)
}

// createAgain sends the create r again: with its key, COC answers as it did (a replay, nothing
// changed); with its key and other secrets, 422 and nothing changed; without its key, 409.
func (k *kit) createAgain(ctx context.Context, lc *lifecycle, r request, created binding) error {
	p := lc.platform
	r.label = "again, the same Idempotency-Key"
	w := bindingWant(http.StatusCreated, p, lc.fields, &lc.seen)
	w.says += ", " + coc.HeaderIdempotentReplayed + ": true, the binding as created"
	w.also = func(a *answer) []string {
		diffs := append(same("created_at", created.createdAt, lc.seen.createdAt), same("key_updated_at", created.keyUpdatedAt, lc.seen.keyUpdatedAt)...)
		if a.header.Get(coc.HeaderIdempotentReplayed) != "true" {
			diffs = append(diffs, fmt.Sprintf("%s is %s, not true", coc.HeaderIdempotentReplayed, quote(a.header.Get(coc.HeaderIdempotentReplayed))))
		}
		return diffs
	}
	if _, _, err := k.check(ctx, r, w); err != nil {
		return err
	}
	other := r
	other.label = "the same Idempotency-Key, other secrets"
	others := maps.Clone(lc.secrets)
	for name := range others {
		others[name] = randomHex(16)
		k.ep.secrets.Add(others[name])
	}
	other.body = lc.body(lc.fields, others)
	reused := errorWant(http.StatusUnprocessableEntity, coc.CodeKeyReused)
	reused.says += ", nothing changed"
	if _, _, err := k.check(ctx, other, reused); err != nil {
		return err
	}
	r.label, r.header = "again, without an Idempotency-Key", nil
	_, _, err := k.check(ctx, r, conflictWant(p, lc.identifier()))
	return err
}

// unbound reports whether the kit may bind a: only COC's own "not bound" says nothing is there.
// Anything else is a SKIP line.
func (k *kit) unbound(ctx context.Context, a app) (bool, error) {
	p := a.platform
	if a.missing != "" {
		k.skipWrites(p, "not sent: "+a.missing)
		return false, nil
	}
	before, err := k.ep.send(ctx, get(p, "before binding"))
	switch {
	case err != nil:
		return false, err
	case before.status == http.StatusNotFound && before.code() == coc.CodeNotBound:
		return true, nil
	case before.status == http.StatusOK:
		k.skipWrites(p, "not sent: "+string(p.AppType)+" is bound in this tenant, and not by this run: left alone")
	default:
		k.skipWrites(p, "not sent: GET answered "+before.brief()+", not COC's not bound (404 "+coc.CodeNotBound+"), so this run leaves the platform alone")
	}
	return false, nil
}

// conflictWant is the answer to a second create: 409, naming the app bound.
func conflictWant(p platforms.Platform, identifier string) want {
	w := errorWant(http.StatusConflict, coc.CodeAlreadyBound)
	w.says += ", the message naming the bound " + p.Identifier.Name
	w.also = func(a *answer) []string {
		if !strings.Contains(a.message(), identifier) {
			return []string{"the message does not name the bound " + p.Identifier.Name}
		}
		return nil
	}
	return w
}

func (k *kit) skipRest(p platforms.Platform, why string) {
	k.rep.check(skip, "GET, PUT, DELETE "+bindingPath(p), "the binding is read, updated and unbound", "not sent: "+why, "")
}

// filtered lists lc's app type alone: the list shows just the binding this run made.
func (k *kit) filtered(ctx context.Context, lc *lifecycle) error {
	var pg page
	pw := pageWant{filter: lc.platform.AppType, limit: simulator.DefaultPageLimit, count: 1}
	w := listWant(pw, &pg)
	w.says += ", the binding this run made"
	w.also = func(*answer) []string {
		return madeListed(pg, map[platforms.AppType]map[string]string{lc.platform.AppType: lc.fields})
	}
	_, _, err := k.check(ctx, list(url.Values{"app_type": {string(lc.platform.AppType)}}), w)
	return err
}

// update changes the plain fields without secrets (the secrets stay: key_updated_at does not
// move), tries to change the identifier (refused), and sets the secrets again (key_updated_at
// moves).
func (k *kit) update(ctx context.Context, lc *lifecycle) error {
	p, before := lc.platform, lc.seen
	lc.fields = lc.withPlainFields("updated")
	w := bindingWant(http.StatusOK, p, lc.fields, &lc.seen)
	w.says += ", key_updated_at unchanged"
	w.also = func(*answer) []string {
		return append(same("created_at", before.createdAt, lc.seen.createdAt), same("key_updated_at", before.keyUpdatedAt, lc.seen.keyUpdatedAt)...)
	}
	r := request{method: http.MethodPut, path: bindingPath(p), body: lc.fields, label: "without secrets"}
	if _, _, err := k.check(ctx, r, w); err != nil {
		return err
	}
	other := maps.Clone(lc.fields)
	other[p.Identifier.Name] += "-other"
	r = request{method: http.MethodPut, path: bindingPath(p), body: lc.body(other, lc.secrets), label: "another " + p.Identifier.Name}
	if _, _, err := k.check(ctx, r, errorWant(http.StatusBadRequest, coc.CodeImmutableField)); err != nil {
		return err
	}
	before = lc.seen
	w = bindingWant(http.StatusOK, p, lc.fields, &lc.seen)
	w.says += ", key_updated_at later"
	w.also = func(*answer) []string { return later("key_updated_at", before.keyUpdatedAt, lc.seen.keyUpdatedAt) }
	r = request{method: http.MethodPut, path: bindingPath(p), body: lc.body(lc.fields, lc.secrets), label: "with secrets"}
	_, _, err := k.check(ctx, r, w)
	return err
}

// unbind deletes the binding once a GET shows it still holds this run's app, then checks that it
// is gone.
func (k *kit) unbind(ctx context.Context, lc *lifecycle) error {
	p := lc.platform
	lc.seen = binding{}
	ans, _, err := k.check(ctx, get(p, "before unbinding"), bindingWant(http.StatusOK, p, lc.fields, &lc.seen))
	if err != nil {
		return err
	}
	// Only the identifier decides: a binding whose other fields the endpoint shows otherwise is
	// still the one this run made.
	if id := lc.seen.fields[p.Identifier.Name]; ans.status != http.StatusOK || id != lc.identifier() {
		k.rep.check(skip, "DELETE "+bindingPath(p), "204, no body", fmt.Sprintf("not sent: the GET did not show the %s %s this run bound", p.Identifier.Name, quote(lc.identifier())), "")
		return nil
	}
	// A DELETE that names another app unbinds nothing.
	otherApp := request{method: http.MethodDelete, path: bindingPath(p), query: url.Values{p.Identifier.Name: {lc.identifier() + "-other"}}, label: "naming another app"}
	refused := errorWant(http.StatusPreconditionFailed, coc.CodeOtherAppBound)
	refused.says += ", the message naming the bound " + p.Identifier.Name
	refused.also = conflictWant(p, lc.identifier()).also
	if _, _, err := k.check(ctx, otherApp, refused); err != nil {
		return err
	}
	still := bindingWant(http.StatusOK, p, lc.fields, &lc.seen)
	still.says += ": still bound"
	if _, _, err := k.check(ctx, get(p, "after a DELETE naming another app"), still); err != nil {
		return err
	}
	gone := want{status: http.StatusNoContent, says: "204, no body"}
	r := request{method: http.MethodDelete, path: bindingPath(p), query: url.Values{p.Identifier.Name: {lc.identifier()}}}
	if _, _, err := k.check(ctx, r, gone); err != nil {
		return err
	}
	if _, ok, err := k.check(ctx, get(p, "after unbinding"), notBound); err != nil || !ok {
		return err // the cleanup looks again
	}
	delete(k.made, p.AppType)
	r.label = "again"
	_, _, err = k.check(ctx, r, notBound)
	return err
}

// cleanup unbinds whatever this run may have left bound, with a context of its own (the run's
// may be cancelled), and reports what it could not unbind.
func (k *kit) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, a := range k.apps {
		id, ok := k.made[a.platform.AppType]
		if !ok {
			continue
		}
		if err := k.unbindLeftover(ctx, a.platform, id); err != nil {
			k.rep.note("could not unbind the %s app %s %s that this run bound: %s; unbind it on the COC console", a.platform.AppType,
				a.platform.Identifier.Name, quote(id), describeFatal(err))
		}
	}
}

func (k *kit) unbindLeftover(ctx context.Context, p platforms.Platform, id string) error {
	a, err := k.ep.send(ctx, get(p, "cleanup"))
	switch {
	case err != nil:
		return err
	case a.status == http.StatusNotFound && a.code() == coc.CodeNotBound:
		return nil
	case a.status != http.StatusOK || str(dataOf(a), p.Identifier.Name) != id:
		k.rep.note("left %s alone: GET answered %s, not the app this run bound", p.AppType, a.brief())
		return nil
	}
	// The DELETE names the app: should another be bound by now, COC unbinds nothing.
	if a, err = k.ep.send(ctx, request{method: http.MethodDelete, path: bindingPath(p), query: url.Values{p.Identifier.Name: {id}}, label: "cleanup"}); err != nil {
		return err
	}
	if a.status != http.StatusNoContent {
		return fmt.Errorf("DELETE answered %s", a.brief())
	}
	k.rep.note("unbound the %s app %s %s that this run bound (request id %s)", p.AppType, p.Identifier.Name, quote(id), a.requestID)
	return nil
}

func dataOf(a *answer) map[string]any {
	data, _ := a.object["data"].(map[string]any)
	return data
}

func without(m map[string]string, key string) map[string]string {
	out := maps.Clone(m)
	delete(out, key)
	return out
}

func same(name, before, now string) []string {
	if before != now {
		return []string{fmt.Sprintf("%s moved from %s to %s", name, before, now)}
	}
	return nil
}

func later(name, before, now string) []string {
	b, errBefore := time.Parse(timestampForm, before)
	n, errNow := time.Parse(timestampForm, now)
	if errBefore == nil && errNow == nil && !n.After(b) {
		return []string{fmt.Sprintf("%s did not move (%s, before %s)", name, now, before)}
	}
	return nil
}
