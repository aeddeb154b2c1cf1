package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// What a write names, so that it acts only on the binding it means (CONTRACT.md, "Acting on the
// binding one means"): the idempotency key that makes a create's retries one create, and the
// identifier a DELETE expects to unbind.

// createOver answers a POST while the app type is bound: the earlier create of the same key and
// request is answered again, as it answered then; anything else made nothing.
func (s *Simulator) createOver(c *call, p platforms.Platform, sb *storedBinding, key string, req coc.BindingRequest) (int, any) {
	bound := p.Identifier.Name + " " + sb.binding.Fields[p.Identifier.Name]
	recognised := key != "" && key == s.shown(sb).IdempotencyKey
	switch {
	case recognised && requestFingerprint(req) == sb.created:
		c.header.Set(coc.HeaderIdempotentReplayed, "true")
		return http.StatusCreated, Success(sb.binding)
	case recognised:
		return http.StatusUnprocessableEntity, &apiError{status: http.StatusUnprocessableEntity, code: coc.CodeKeyReused,
			msg: "the Idempotency-Key made the bound " + string(p.AppType) + " app (" + bound + ") with another request; nothing was changed"}
	}
	return http.StatusConflict, &apiError{status: http.StatusConflict, code: coc.CodeAlreadyBound,
		msg: "a " + string(p.AppType) + " app is already bound to this tenant: " + bound}
}

// shown is sb's binding as COC answers it now: the key of the create that made it is forgotten
// once its lifetime has passed.
func (s *Simulator) shown(sb *storedBinding) coc.Binding {
	if sb.binding.IdempotencyKey != "" && !s.now().Before(sb.binding.CreatedAt.Add(coc.IdempotencyKeyLifetime)) {
		sb.binding.IdempotencyKey, sb.created = "", ""
	}
	return sb.binding
}

// idempotencyKeyProblem says what is wrong with a POST's Idempotency-Key, or "" when it is absent
// or well-formed.
func idempotencyKeyProblem(h http.Header) string {
	values := h.Values(coc.HeaderIdempotencyKey)
	switch {
	case len(values) == 0:
		return ""
	case len(values) > 1:
		return "must be sent once"
	}
	key := values[0]
	if len(key) < coc.MinIdempotencyKeyLength || len(key) > coc.MaxIdempotencyKeyLength ||
		strings.IndexFunc(key, func(r rune) bool { return !isKeyRune(r) }) >= 0 {
		return fmt.Sprintf("must be %d to %d characters from A-Z, a-z, 0-9, '-' and '_'", coc.MinIdempotencyKeyLength, coc.MaxIdempotencyKeyLength)
	}
	return ""
}

func isKeyRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// requestFingerprint is how the simulator remembers the request an idempotency key made a binding
// with, secrets included: the Fingerprint of its JSON, whose keys encoding/json sorts.
func requestFingerprint(req coc.BindingRequest) string {
	data, _ := json.Marshal(req) // a request of strings always encodes
	return Fingerprint(string(data))
}

// expectedIdentifier reads a DELETE's query: the identifier of the app it means to unbind, under
// the platform's identifier name, or nothing (then whatever is bound goes, as on the console).
func expectedIdentifier(p platforms.Platform, q url.Values) (string, []coc.FieldError) {
	var problems []coc.FieldError
	for name, values := range q {
		switch {
		case name != p.Identifier.Name:
			problems = append(problems, coc.FieldError{Field: name, Reason: "is not a query parameter of this call; the bound app is named by " + p.Identifier.Name})
		case len(values) != 1 || fieldProblem(values[0], false) != "":
			problems = append(problems, coc.FieldError{Field: name, Reason: "must be given once, as a non-empty value of at most " + strconv.Itoa(coc.MaxFieldLength) + " characters"})
		}
	}
	if problems != nil {
		slices.SortFunc(problems, func(a, b coc.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return "", problems
	}
	return q.Get(p.Identifier.Name), nil
}
