package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// AdminPrefix is where the unsigned admin API lives. It is outside the contract: the real
// COC has nothing like it.
const AdminPrefix = "/_sim/"

// BindingState is a stored binding as the admin API shows it.
type BindingState struct {
	coc.Binding
	// Fingerprints maps each secret field to the SHA-256 (hex) of its stored value.
	Fingerprints map[string]string `json:"fingerprints"`
}

// MarshalJSON keeps the binding's flat wire form and adds the fingerprints.
func (b BindingState) MarshalJSON() ([]byte, error) {
	binding, err := json.Marshal(b.Binding)
	if err != nil {
		return nil, err
	}
	var flat map[string]any
	if err := json.Unmarshal(binding, &flat); err != nil {
		return nil, err
	}
	flat["fingerprints"] = b.Fingerprints
	return json.Marshal(flat)
}

// ErrNotBound is returned by console calls on an app type that is not bound.
var ErrNotBound = errors.New("not bound")

// consoleTarget resolves what a console call acts on. It must be called with s.mu held.
func (s *Simulator) consoleTarget(accessKey string, appType platforms.AppType) (platforms.Platform, *account, error) {
	p, err := platforms.For(appType)
	if err != nil {
		return p, nil, err
	}
	a, err := s.accountOf(accessKey)
	return p, a, err
}

// Bindings returns the bindings of the access key's account with the fingerprints of their
// secrets.
func (s *Simulator) Bindings(accessKey string) ([]BindingState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountOf(accessKey)
	if err != nil {
		return nil, err
	}
	out := []BindingState{}
	for _, p := range platforms.All() {
		if sb, ok := a.bindings[p.AppType]; ok {
			b := s.shown(sb)
			b.Fields = maps.Clone(b.Fields)
			out = append(out, BindingState{Binding: b, Fingerprints: maps.Clone(sb.fingerprints)})
		}
	}
	return out, nil
}

// ConsoleBind creates or replaces a binding the way a person on the console would, outside the
// contract API (so without a signature and without appearing in the request log).
func (s *Simulator) ConsoleBind(accessKey string, appType platforms.AppType, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, a, err := s.consoleTarget(accessKey, appType)
	if err != nil {
		return err
	}
	method := Create
	if sb, ok := a.bindings[appType]; ok {
		method = Update
		if len(body) > 0 {
			// The console replaces a binding wholesale; an identifier change is a new binding.
			var probe map[string]any
			if json.Unmarshal(body, &probe) == nil && probe[p.Identifier.Name] != sb.binding.Fields[p.Identifier.Name] {
				delete(a.bindings, appType)
				method = Create
			}
		}
	}
	req, problems := DecodeBindingRequest(p, method, body)
	if problems != nil {
		return fmt.Errorf("invalid %s binding: %s (its fields: %s)", appType, joinProblems(problems),
			strings.Join(append(p.NonSecretNames(), p.SecretNames()...), ", "))
	}
	s.store(a, p, req)
	return nil
}

// ConsoleChangeSecrets changes secrets as the console's "change key" does: key_updated_at moves.
func (s *Simulator) ConsoleChangeSecrets(accessKey string, appType platforms.AppType, secrets map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, a, err := s.consoleTarget(accessKey, appType)
	if err != nil {
		return err
	}
	sb, ok := a.bindings[appType]
	if !ok {
		return ErrNotBound
	}
	for name := range secrets {
		if !p.IsSecret(name) {
			return fmt.Errorf("%q is not a secret of a %s app", name, appType)
		}
	}
	s.store(a, p, coc.BindingRequest{Fields: sb.binding.Fields, Secrets: secrets})
	return nil
}

// ConsoleUnbind deletes a binding outside the contract API.
func (s *Simulator) ConsoleUnbind(accessKey string, appType platforms.AppType) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountOf(accessKey)
	if err != nil {
		return err
	}
	if _, ok := a.bindings[appType]; !ok {
		return ErrNotBound
	}
	delete(a.bindings, appType)
	return nil
}

// routeAdmin serves the admin API, each route a thin wrapper of a Go method. README.md documents
// each route with its body and an example (TestReadmeDocumentsEveryAdminRouteWithAWorkingExample
// keeps it complete). Calls that act on bindings take ?access_key= and act on that key's account
// (without it, on the only tenant's).
func (s *Simulator) routeAdmin() {
	s.routeAdminWorld()
	s.routeAdminConsole()
	s.routeAdminFaults()
	s.mux.HandleFunc(AdminPrefix, s.noAdminRoute)
}

// AdminRoutes lists the admin API's routes as "METHOD /path" patterns.
func (s *Simulator) AdminRoutes() []string { return slices.Clone(s.adminRoutes) }

// noAdminRoute answers an admin call no route serves: 405 naming the methods the path takes, or
// 404.
func (s *Simulator) noAdminRoute(w http.ResponseWriter, r *http.Request) {
	var methods []string
	for _, route := range s.adminRoutes {
		if method, pattern, _ := strings.Cut(route, " "); pathMatches(pattern, r.URL.Path) {
			methods = append(methods, method)
		}
	}
	if len(methods) > 0 {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{
			"error": fmt.Sprintf("%s takes %s, not %s", r.URL.Path, strings.Join(methods, " or "), r.Method)})
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{
		"error": fmt.Sprintf("the admin API has no route %s; internal/simulator/README.md lists them", r.URL.Path)})
}

// pathMatches reports whether a path matches a route's pattern, whose {name} segments match any.
func pathMatches(pattern, path string) bool {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i, segment := range want {
		if segment != got[i] && (!strings.HasPrefix(segment, "{") || got[i] == "") {
			return false
		}
	}
	return true
}

// adminHandle serves an admin call: h's value as JSON, nothing as 204, its error as 400 (404
// for an unknown tenant or binding).
func (s *Simulator) adminHandle(pattern string, h func(r *http.Request) (any, error)) {
	s.adminRoutes = append(s.adminRoutes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		v, err := h(r)
		switch {
		case errors.Is(err, ErrNoTenant) || errors.Is(err, ErrNotBound):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case v == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, http.StatusOK, v)
		}
	})
}

// applying decodes a call's JSON body into a T and applies it.
func applying[T any](apply func(T) error) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		var v T
		if err := decodeJSON(r, &v); err != nil {
			return nil, err
		}
		return nil, apply(v)
	}
}

// routeAdminWorld declares what the simulator serves: tenants, IAM's agencies and identity
// providers, the platforms' apps, the lifetime of issued keys, the metadata account.
func (s *Simulator) routeAdminWorld() {
	s.adminHandle("POST /_sim/reset", func(*http.Request) (any, error) { s.Reset(); return nil, nil })
	s.adminHandle("GET /_sim/tenants", func(*http.Request) (any, error) { return s.Tenants(), nil })
	s.adminHandle("POST /_sim/tenants", func(r *http.Request) (any, error) {
		return nil, declareEach(r, func(t Tenant) error {
			if err := t.Validate(); err != nil {
				return err
			}
			s.AddTenant(t)
			return nil
		})
	})
	s.adminHandle("POST /_sim/agencies", func(r *http.Request) (any, error) { return nil, declareEach(r, s.DeclareAgency) })
	s.adminHandle("POST /_sim/idps", func(r *http.Request) (any, error) { return nil, declareEach(r, s.DeclareIdentityProvider) })
	s.adminHandle("POST /_sim/platform-apps", func(r *http.Request) (any, error) { return nil, declareEach(r, s.AcceptAppCredentials) })
	s.adminHandle("PUT /_sim/issued-lifetime", applying(func(v struct {
		Seconds int `json:"seconds"`
	}) error {
		if v.Seconds < 0 {
			return errors.New("seconds must not be negative")
		}
		s.SetIssuedLifetime(time.Duration(v.Seconds) * time.Second)
		return nil
	}))
	s.adminHandle("PUT /_sim/metadata", applying(func(v struct {
		DomainID string `json:"domain_id"`
	}) error {
		s.SetMetadataAccount(v.DomainID)
		return nil
	}))
	s.adminHandle("GET /_sim/credentials", func(*http.Request) (any, error) { return s.IssuedCredentials(), nil })
}

// routeAdminConsole plays the COC console: a tenant's bindings, bound, rekeyed and unbound by hand.
func (s *Simulator) routeAdminConsole() {
	ak := func(r *http.Request) string { return r.URL.Query().Get("access_key") }
	appType := func(r *http.Request) platforms.AppType { return platforms.AppType(r.PathValue("app_type")) }
	s.adminHandle("GET /_sim/bindings", func(r *http.Request) (any, error) { return s.Bindings(ak(r)) })
	s.adminHandle("PUT /_sim/bindings/{app_type}", func(r *http.Request) (any, error) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
		if err != nil {
			return nil, err
		}
		return nil, s.ConsoleBind(ak(r), appType(r), body)
	})
	s.adminHandle("POST /_sim/bindings/{app_type}/secrets", func(r *http.Request) (any, error) {
		return applying(func(secrets map[string]string) error { return s.ConsoleChangeSecrets(ak(r), appType(r), secrets) })(r)
	})
	s.adminHandle("DELETE /_sim/bindings/{app_type}", func(r *http.Request) (any, error) { return nil, s.ConsoleUnbind(ak(r), appType(r)) })
}

// routeAdminFaults serves the request log, the fault rules and the rate limit.
func (s *Simulator) routeAdminFaults() {
	s.adminHandle("GET /_sim/requests", func(*http.Request) (any, error) { return s.Requests(), nil })
	s.adminHandle("DELETE /_sim/requests", func(*http.Request) (any, error) { s.ClearRequests(); return nil, nil })
	s.adminHandle("GET /_sim/faults", func(*http.Request) (any, error) { return s.Faults(), nil })
	s.adminHandle("POST /_sim/faults", applying(s.InjectFault))
	s.adminHandle("DELETE /_sim/faults", func(*http.Request) (any, error) { s.ClearFaults(); return nil, nil })
	s.adminHandle("PUT /_sim/rate-limit", applying(func(rl rateLimit) error { s.SetRateLimit(rl.Rate, rl.Burst); return nil }))
}

// declareEach decodes a list and declares its entries in order, up to the first refused.
func declareEach[T any](r *http.Request, declare func(T) error) error {
	var list []T
	if err := decodeJSON(r, &list); err != nil {
		return err
	}
	for _, v := range list {
		if err := declare(v); err != nil {
			return err
		}
	}
	return nil
}
